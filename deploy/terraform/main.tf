data "google_project" "this" {
  project_id = var.project_id
}

locals {
  # Names, as docker/pubsub-topology.txt and docker-compose.yml spell them locally.
  topic                    = "${var.name_prefix}-pages"
  dead_letter_topic        = "${var.name_prefix}-pages-dead"
  dead_letter_subscription = "${var.name_prefix}-pages-dead-sub"
  push_subscription        = "${var.name_prefix}-pages-push"
  worker_name              = "${var.name_prefix}-worker"
  # The push subscription's OIDC audience: a custom audience of the worker service,
  # so it is known before the service has a URL.
  push_audience = "${var.name_prefix}-worker-push"
  sink          = "gs://${var.bucket_name}/${var.sink_prefix}"
  config_mount  = "/etc/rdc/services"
  pubsub_agent  = "service-${data.google_project.this.number}@gcp-sa-pubsub.iam.gserviceaccount.com"

  # Your service configs: each file's service name, and the env variables its auth reads.
  # Files starting with "_" are skipped, as the apps skip them.
  config_files = toset([for f in fileset(var.service_config_dir, "*.json") : f if !startswith(f, "_")])
  config_json  = { for f in local.config_files : f => jsondecode(file("${var.service_config_dir}/${f}")) }
  config_digest = substr(sha256(join("", [for f in sort(tolist(local.config_files)) : filesha256("${var.service_config_dir}/${f}")])), 0, 12)
  # One secret per credential the auth kind names: api-key, header, bearer and query one, basic two.
  service_secret_env = {
    for f, c in local.config_json : c.service => compact([
      try(c.auth.env, ""),
      try(c.auth.userEnv, ""),
      try(c.auth.secretEnv, ""),
    ])
  }
  unknown_services = [for s in keys(var.services) : s if !contains(keys(local.service_secret_env), s)]

  # Every secret of the deployed services, by the env variable the app reads.
  secret_env = toset(flatten([for s in keys(var.services) : lookup(local.service_secret_env, s, [])]))
  secret_id  = { for v in local.secret_env : v => "${var.name_prefix}-${lower(replace(v, "_", "-"))}" }
  # Mounted as a file each; the app reads <VAR>_FILE.
  secret_dir = { for v in local.secret_env : v => "/secrets/${lower(v)}" }

  # <SERVICE>_API_BASE_URL of each service that sets base_url.
  base_url_env = { for s, svc in var.services : "${upper(s)}_API_BASE_URL" => svc.base_url if svc.base_url != null }

  # One planner job and one schedule per service and endpoint.
  schedules = {
    for pair in flatten([
      for s, svc in var.services : [
        for e, ep in svc.endpoints : {
          key              = "${s}.${e}"
          service          = s
          endpoint         = e
          job              = "${var.name_prefix}-plan-${replace(s, "_", "-")}-${replace(e, "_", "-")}"
          schedule         = ep.schedule
          interval_minutes = ep.interval_minutes
          lookback         = ep.lookback
        }
      ]
    ]) : pair.key => pair
  }
}

resource "google_project_service" "apis" {
  for_each = toset(concat(
    [
      "run.googleapis.com",
      "pubsub.googleapis.com",
      "storage.googleapis.com",
      "secretmanager.googleapis.com",
      "cloudscheduler.googleapis.com",
      "iam.googleapis.com",
      "logging.googleapis.com",
      "monitoring.googleapis.com",
    ],
    var.static_egress_ip ? ["compute.googleapis.com"] : [],
  ))
  project            = var.project_id
  service            = each.value
  disable_on_destroy = false
}
