locals {
  # The planner's settings (apps/planner and packages/runtime read each one).
  planner_env_fixed = {
    RDC_SINK             = local.sink
    RDC_QUEUE            = "pubsub"
    GOOGLE_CLOUD_PROJECT = var.project_id
    RDC_TOPIC            = local.topic
    RDC_END_GRANULARITY  = var.end_granularity
    LOG_LEVEL            = var.log_level
  }
  planner_env_optional = {
    RDC_CONFIG_DIR = var.mount_service_configs ? local.config_mount : null
  }
  # Per job: the settings above, its own service's base URL and secrets only.
  planner_env = {
    for key, job in local.schedules : key => merge(
      local.planner_env_fixed,
      { for k, v in local.planner_env_optional : k => v if v != null },
      { for k, v in local.base_url_env : k => v if k == "${upper(job.service)}_API_BASE_URL" },
      { for v in lookup(local.service_secret_env, job.service, []) : "${v}_FILE" => "${local.secret_dir[v]}/value" },
    )
  }
}

# One job per service and endpoint: the arguments are fixed, so Cloud Scheduler can
# start it with run.invoker alone. Each execution plans from the watermark; a window
# over limits.maxPagesPerRun is planned as consecutive runs.
resource "google_cloud_run_v2_job" "planner" {
  for_each = local.schedules
  name     = each.value.job
  location = var.region

  template {
    task_count = 1
    labels = {
      rdc-configs = local.config_digest
    }

    template {
      service_account       = google_service_account.planner.email
      timeout               = var.planner_task_timeout
      max_retries           = var.planner_max_retries
      execution_environment = "EXECUTION_ENVIRONMENT_GEN2"

      containers {
        image = var.planner_image
        args = concat(
          ["--service", each.value.service, "--endpoint", each.value.endpoint],
          each.value.lookback == null ? [] : ["--lookback", each.value.lookback],
        )
        resources {
          limits = {
            cpu    = "1"
            memory = "512Mi"
          }
        }

        dynamic "env" {
          for_each = local.planner_env[each.key]
          content {
            name  = env.key
            value = env.value
          }
        }

        dynamic "volume_mounts" {
          for_each = toset(lookup(local.service_secret_env, each.value.service, []))
          content {
            name       = "secret-${lower(replace(volume_mounts.value, "_", "-"))}"
            mount_path = local.secret_dir[volume_mounts.value]
          }
        }

        dynamic "volume_mounts" {
          for_each = var.mount_service_configs ? [local.config_mount] : []
          content {
            name       = "service-configs"
            mount_path = volume_mounts.value
          }
        }
      }

      dynamic "volumes" {
        for_each = toset(lookup(local.service_secret_env, each.value.service, []))
        content {
          name = "secret-${lower(replace(volumes.value, "_", "-"))}"
          secret {
            secret = google_secret_manager_secret.api[volumes.value].secret_id
            items {
              version = "latest"
              path    = "value"
            }
          }
        }
      }

      dynamic "volumes" {
        for_each = var.mount_service_configs ? [google_storage_bucket.configs[0].name] : []
        content {
          name = "service-configs"
          gcs {
            bucket    = volumes.value
            read_only = true
          }
        }
      }

      dynamic "vpc_access" {
        for_each = var.static_egress_ip ? [google_compute_subnetwork.egress[0]] : []
        content {
          egress = "ALL_TRAFFIC"
          network_interfaces {
            network    = vpc_access.value.network
            subnetwork = vpc_access.value.id
          }
        }
      }
    }
  }

  depends_on = [
    google_secret_manager_secret_iam_member.planner,
    google_storage_bucket_iam_member.configs,
    google_storage_bucket_object.configs,
    google_pubsub_topic_iam_member.planner_publisher,
  ]
}

# One trigger per service and endpoint, in UTC.
resource "google_cloud_scheduler_job" "planner" {
  for_each  = local.schedules
  name      = each.value.job
  region    = var.region
  schedule  = each.value.schedule
  time_zone = "Etc/UTC"

  http_target {
    http_method = "POST"
    uri         = "https://run.googleapis.com/v2/projects/${var.project_id}/locations/${var.region}/jobs/${google_cloud_run_v2_job.planner[each.key].name}:run"
    oauth_token {
      service_account_email = google_service_account.scheduler.email
    }
  }

  depends_on = [google_cloud_run_v2_job_iam_member.scheduler_invoker]
}
