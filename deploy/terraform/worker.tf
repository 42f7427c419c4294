locals {
  # The worker's settings (apps/worker/src/config.ts reads each one).
  worker_env_fixed = {
    RDC_WORKER_MODE           = "push"
    RDC_SINK                  = local.sink
    GOOGLE_CLOUD_PROJECT      = var.project_id
    RDC_ACK_DEADLINE_SECONDS  = tostring(var.ack_deadline_seconds)
    RDC_MAX_DELIVERY_ATTEMPTS = tostring(var.max_delivery_attempts)
    RDC_PUSH_AUTH             = "oidc"
    RDC_PUSH_AUDIENCE         = local.push_audience
    RDC_PUSH_SERVICE_ACCOUNT  = google_service_account.push.email
    RDC_GZIP                  = var.gzip ? "1" : "0"
    LOG_LEVEL                 = var.log_level
  }
  # Set only when given.
  worker_env_optional = {
    RDC_REQUESTS_PER_SECOND = var.requests_per_second
    RDC_API_CONCURRENCY     = var.api_concurrency
    RDC_CONFIG_DIR          = var.mount_service_configs ? local.config_mount : null
    # Compaction into Parquet: the sealer publishes one task per dt= partition to the page topic.
    RDC_COMPACT_TOPIC = var.parquet ? local.topic : null
    RDC_PARQUET       = var.parquet && var.parquet_all_endpoints ? "1" : null
  }
  worker_env = merge(
    local.worker_env_fixed,
    { for k, v in local.worker_env_optional : k => tostring(v) if v != null },
    local.base_url_env,
    { for v in local.secret_env : "${v}_FILE" => "${local.secret_dir[v]}/value" },
  )
}

resource "google_cloud_run_v2_service" "worker" {
  name     = local.worker_name
  location = var.region
  # Only Pub/Sub's push (with an OIDC token for the push identity) can call it.
  ingress          = "INGRESS_TRAFFIC_ALL"
  custom_audiences = [local.push_audience]

  template {
    service_account                  = google_service_account.worker.email
    timeout                          = "${var.ack_deadline_seconds}s"
    max_instance_request_concurrency = var.worker_concurrency
    execution_environment            = "EXECUTION_ENVIRONMENT_GEN2"
    # A new revision when the mounted configs change, so every instance reads them at start.
    labels = {
      rdc-configs = local.config_digest
    }

    scaling {
      min_instance_count = var.worker_min_instances
      max_instance_count = var.worker_max_instances
    }

    containers {
      image = var.worker_image
      resources {
        limits = {
          cpu    = var.worker_cpu
          memory = var.worker_memory
        }
      }

      dynamic "env" {
        for_each = local.worker_env
        content {
          name  = env.key
          value = env.value
        }
      }

      dynamic "volume_mounts" {
        for_each = local.secret_env
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

      startup_probe {
        http_get {
          path = "/healthz"
        }
      }
    }

    dynamic "volumes" {
      for_each = local.secret_env
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

  lifecycle {
    precondition {
      condition     = length(local.unknown_services) == 0
      error_message = "var.services names services with no config file in var.service_config_dir: ${join(", ", local.unknown_services)}."
    }
  }

  depends_on = [
    google_secret_manager_secret_iam_member.worker,
    google_storage_bucket_iam_member.configs,
    google_storage_bucket_object.configs,
  ]
}
