#!/bin/sh
# Creates what the local stack needs in the emulators, as the deploy guide does on
# Google Cloud: the task topic, its dead-letter topic and a subscription on it, the
# push subscription to the worker (with dead-letter and retry policies) and the bucket.
# Idempotent: anything that exists already (HTTP 409) is left as it is.
# Runs in the curlimages/curl image (busybox sh + curl); see docker-compose.yml.
set -eu

: "${PUBSUB_URL:?}" "${GCS_URL:?}" "${PROJECT_ID:?}" "${TOPIC:?}" "${DEAD_LETTER_TOPIC:?}"
: "${DEAD_LETTER_SUBSCRIPTION:?}" "${PUSH_SUBSCRIPTION:?}" "${PUSH_ENDPOINT:?}" "${BUCKET:?}"
: "${ACK_DEADLINE_SECONDS:=60}" "${MAX_DELIVERY_ATTEMPTS:=5}" "${MIN_RETRY_DELAY:=10s}" "${MAX_RETRY_DELAY:=600s}"

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

wait_for 'the Pub/Sub emulator' "$PUBSUB_URL/"
wait_for 'the GCS emulator' "$GCS_URL/storage/v1/b"

P="$PUBSUB_URL/v1/projects/$PROJECT_ID"
call PUT "$P/topics/$TOPIC" '{}' "topic $TOPIC"
call PUT "$P/topics/$DEAD_LETTER_TOPIC" '{}' "dead-letter topic $DEAD_LETTER_TOPIC"
call PUT "$P/subscriptions/$DEAD_LETTER_SUBSCRIPTION" \
  "{\"topic\":\"projects/$PROJECT_ID/topics/$DEAD_LETTER_TOPIC\"}" \
  "subscription $DEAD_LETTER_SUBSCRIPTION on $DEAD_LETTER_TOPIC"
call PUT "$P/subscriptions/$PUSH_SUBSCRIPTION" "$(cat <<JSON
{
  "topic": "projects/$PROJECT_ID/topics/$TOPIC",
  "pushConfig": { "pushEndpoint": "$PUSH_ENDPOINT" },
  "ackDeadlineSeconds": $ACK_DEADLINE_SECONDS,
  "retryPolicy": { "minimumBackoff": "$MIN_RETRY_DELAY", "maximumBackoff": "$MAX_RETRY_DELAY" },
  "deadLetterPolicy": {
    "deadLetterTopic": "projects/$PROJECT_ID/topics/$DEAD_LETTER_TOPIC",
    "maxDeliveryAttempts": $MAX_DELIVERY_ATTEMPTS
  }
}
JSON
)" "push subscription $PUSH_SUBSCRIPTION -> $PUSH_ENDPOINT"

call POST "$GCS_URL/storage/v1/b?project=$PROJECT_ID" "{\"name\":\"$BUCKET\"}" "bucket gs://$BUCKET"
echo 'init: done'
