#!/bin/sh
# Creates what the local stack needs in the emulators, as the deploy guide does on
# Google Cloud: the Pub/Sub topics and subscriptions listed in pubsub-topology.txt (next
# to this script; the same file `npm run stack` reads) for a push worker, and the bucket.
# Idempotent: anything that exists already (HTTP 409) is left as it is.
# Runs in the curlimages/curl image (busybox sh + curl); see docker-compose.yml.
set -eu

: "${PUBSUB_URL:?}" "${GCS_URL:?}" "${PROJECT_ID:?}" "${TOPIC:?}" "${DEAD_LETTER_TOPIC:?}"
: "${DEAD_LETTER_SUBSCRIPTION:?}" "${PUSH_SUBSCRIPTION:?}" "${PUSH_ENDPOINT:?}" "${BUCKET:?}"
: "${ACK_DEADLINE_SECONDS:=60}" "${MAX_DELIVERY_ATTEMPTS:=5}" "${MIN_RETRY_DELAY:=10s}" "${MAX_RETRY_DELAY:=600s}"
: "${WORKER_MODE:=push}" "${PULL_SUBSCRIPTION:=rdc-pages-pull}"
: "${TOPOLOGY:=$(dirname "$0")/pubsub-topology.txt}"

# Waits until something answers HTTP at $2 (any status), for up to 60 s.
wait_for() {
  i=0
  while [ "$(curl -s -o /dev/null -w '%{http_code}' "$2" || true)" = "000" ]; do
    i=$((i + 1))
    if [ "$i" -ge 60 ]; then
      echo "init: $1 did not answer at $2 within 60 s" >&2
      exit 1
    fi
    sleep 1
  done
}

# call METHOD URL JSON WHAT: 200 created, 409 already there, anything else fails.
call() {
  out=$(curl -sS -X "$1" -H 'Content-Type: application/json' --data "$3" -w '\n%{http_code}' "$2")
  code=$(printf '%s\n' "$out" | tail -n 1)
  case "$code" in
    200) echo "init: created $4" ;;
    409) echo "init: $4 exists already" ;;
    *)
      echo "init: creating $4 failed with HTTP $code: $(printf '%s\n' "$out" | sed '$d')" >&2
      exit 1
      ;;
  esac
}

# fill TEXT: replaces each {{NAME}} with the value of the variable NAME.
fill() {
  text=$1
  for name in PROJECT_ID TOPIC DEAD_LETTER_TOPIC DEAD_LETTER_SUBSCRIPTION PUSH_SUBSCRIPTION PULL_SUBSCRIPTION \
    PUSH_ENDPOINT ACK_DEADLINE_SECONDS MAX_DELIVERY_ATTEMPTS MIN_RETRY_DELAY MAX_RETRY_DELAY; do
    eval "value=\${$name}"
    value=$(printf '%s' "$value" | sed 's/[\\|&]/\\&/g')
    text=$(printf '%s' "$text" | sed "s|{{$name}}|$value|g")
  done
  printf '%s' "$text"
}

[ -r "$TOPOLOGY" ] || { echo "init: cannot read $TOPOLOGY (set TOPOLOGY to the file)" >&2; exit 1; }
wait_for 'the Pub/Sub emulator' "$PUBSUB_URL/"
wait_for 'the GCS emulator' "$GCS_URL/storage/v1/b"

grep -v -e '^#' -e '^[[:space:]]*$' "$TOPOLOGY" >/tmp/topology.$$
while read -r when path body; do
  [ "$when" = all ] || [ "$when" = "$WORKER_MODE" ] || continue
  path=$(fill "$path")
  body=$(fill "$body")
  case "$path $body" in
    *'{{'*)
      echo "init: $TOPOLOGY uses a placeholder this script does not fill: $path $body" >&2
      exit 1
      ;;
  esac
  call PUT "$PUBSUB_URL/v1/projects/$PROJECT_ID/$path" "$body" "$path"
done </tmp/topology.$$
rm -f /tmp/topology.$$

call POST "$GCS_URL/storage/v1/b?project=$PROJECT_ID" "{\"name\":\"$BUCKET\"}" "bucket gs://$BUCKET"
echo 'init: done'
