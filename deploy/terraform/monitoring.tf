# Knowing when something is wrong. Log-based metrics count what the worker logs
# (JSON lines on Cloud Run: severity, message and fields such as runId), and alert
# policies watch them with Cloud Run's and Pub/Sub's own metrics.
# test/static/terraform.test.ts checks that each filter's text is one the apps log.

locals {
  worker_logs = "resource.type=\"cloud_run_revision\" AND resource.labels.service_name=\"${local.worker_name}\""
  # service and endpoint, read out of the run id (<service>.<endpoint>.<start>-<end>).
  run_labels = {
    service  = "REGEXP_EXTRACT(jsonPayload.runId, \"^([a-z0-9_]+)[.]\")"
    endpoint = "REGEXP_EXTRACT(jsonPayload.runId, \"^[a-z0-9_]+[.]([a-z0-9_]+)[.]\")"
  }
}

# A page the worker gave up on: it wrote a dead-letter record under _rdc/deadletter/ and logged its key.
resource "google_logging_metric" "dead_lettered" {
  name   = "${var.name_prefix}/dead_lettered_pages"
  filter = "${local.worker_logs} AND severity>=ERROR AND jsonPayload.deadLetter:*"
  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "INT64"
    labels {
      key = "service"
    }
    labels {
      key = "endpoint"
    }
  }
  label_extractors = local.run_labels
  depends_on       = [google_project_service.apis]
}

# Every page landed, but the records do not add up: the run is not sealed.
resource "google_logging_metric" "not_sealed" {
  name   = "${var.name_prefix}/runs_not_sealed"
  filter = "${local.worker_logs} AND severity>=ERROR AND jsonPayload.message=~\"NOT SEALED\""
  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "INT64"
    labels {
      key = "service"
    }
    labels {
      key = "endpoint"
    }
  }
  label_extractors = local.run_labels
  depends_on       = [google_project_service.apis]
}

# A run sealed (_SUCCESS written, the watermark moved): logged once per run.
resource "google_logging_metric" "sealed" {
  name   = "${var.name_prefix}/runs_sealed"
  filter = "${local.worker_logs} AND jsonPayload.message=~\"^Run [^ ]+ complete: \""
  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "INT64"
    labels {
      key = "service"
    }
    labels {
      key = "endpoint"
    }
  }
  label_extractors = local.run_labels
  depends_on       = [google_project_service.apis]
}

resource "google_monitoring_alert_policy" "dead_lettered" {
  display_name          = "${var.name_prefix}: pages dead-lettered"
  combiner              = "OR"
  notification_channels = var.notification_channels
  documentation {
    content = "A page failed for good. `npm run status -- <service>/<endpoint> latest --sink ${local.sink}` lists the pages and their reasons; fix the cause, then plan the run's window again (docs/deploy.md, Runs)."
  }
  conditions {
    display_name = "dead-letter records written"
    condition_threshold {
      filter          = "resource.type=\"cloud_run_revision\" AND metric.type=\"logging.googleapis.com/user/${google_logging_metric.dead_lettered.name}\""
      comparison      = "COMPARISON_GT"
      threshold_value = 0
      duration        = "0s"
      aggregations {
        alignment_period   = "300s"
        per_series_aligner = "ALIGN_SUM"
      }
    }
  }
  conditions {
    display_name = "messages on the dead-letter topic (the worker could not record them)"
    condition_threshold {
      filter          = "resource.type=\"pubsub_subscription\" AND resource.labels.subscription_id=\"${google_pubsub_subscription.dead_letter.name}\" AND metric.type=\"pubsub.googleapis.com/subscription/num_undelivered_messages\""
      comparison      = "COMPARISON_GT"
      threshold_value = 0
      duration        = "300s"
      aggregations {
        alignment_period   = "300s"
        per_series_aligner = "ALIGN_MAX"
      }
    }
  }
}

resource "google_monitoring_alert_policy" "not_sealed" {
  display_name          = "${var.name_prefix}: run not sealed by its integrity check"
  combiner              = "OR"
  notification_channels = var.notification_channels
  documentation {
    content = "Every page of a run landed, but its records do not add up (repeated or missing ids). The log line names the pages, the cause and the remedy; `--repair <runId>` lands the window again once the API behaves."
  }
  conditions {
    display_name = "runs not sealed"
    condition_threshold {
      filter          = "resource.type=\"cloud_run_revision\" AND metric.type=\"logging.googleapis.com/user/${google_logging_metric.not_sealed.name}\""
      comparison      = "COMPARISON_GT"
      threshold_value = 0
      duration        = "0s"
      aggregations {
        alignment_period   = "300s"
        per_series_aligner = "ALIGN_SUM"
      }
    }
  }
}

resource "google_monitoring_alert_policy" "planner_failed" {
  display_name          = "${var.name_prefix}: planner execution failed"
  combiner              = "OR"
  notification_channels = var.notification_channels
  documentation {
    content = "A planner execution failed after its retries. Until an execution succeeds, the endpoint's watermark does not move. `gcloud run jobs executions list --job <job>` and its logs say why; exit 2 is bad arguments or config."
  }
  conditions {
    display_name = "failed executions"
    condition_threshold {
      filter          = "resource.type=\"cloud_run_job\" AND resource.labels.job_name=starts_with(\"${var.name_prefix}-plan-\") AND metric.type=\"run.googleapis.com/job/completed_execution_count\" AND metric.labels.result=\"failed\""
      comparison      = "COMPARISON_GT"
      threshold_value = 0
      duration        = "0s"
      aggregations {
        alignment_period   = "300s"
        per_series_aligner = "ALIGN_DELTA"
      }
    }
  }
}

resource "google_monitoring_alert_policy" "oldest_unacked" {
  display_name          = "${var.name_prefix}: page tasks waiting too long"
  combiner              = "OR"
  notification_channels = var.notification_channels
  documentation {
    content = "The oldest page task on ${local.push_subscription} is older than ${var.oldest_unacked_alert_seconds} s: the worker is down, failing (503) or too slow for the schedule."
  }
  conditions {
    display_name = "oldest unacked message age"
    condition_threshold {
      filter          = "resource.type=\"pubsub_subscription\" AND resource.labels.subscription_id=\"${google_pubsub_subscription.push.name}\" AND metric.type=\"pubsub.googleapis.com/subscription/oldest_unacked_message_age\""
      comparison      = "COMPARISON_GT"
      threshold_value = var.oldest_unacked_alert_seconds
      duration        = "300s"
      aggregations {
        alignment_period   = "60s"
        per_series_aligner = "ALIGN_MAX"
      }
    }
  }
}

# The watermark moves when a run seals. No sealed run for N schedule intervals of an
# endpoint means it stopped moving (capped at the 23.5 h Cloud Monitoring allows).
resource "google_monitoring_alert_policy" "watermark_stale" {
  for_each              = local.schedules
  display_name          = "${var.name_prefix}: ${each.key} watermark not moving"
  combiner              = "OR"
  notification_channels = var.notification_channels
  documentation {
    content = "No run of ${each.key} was sealed for ${var.watermark_alert_intervals} schedule intervals. `npm run status -- ${each.value.service}/${each.value.endpoint} latest --sink ${local.sink}` shows the latest run."
  }
  conditions {
    display_name = "no run sealed"
    condition_absent {
      filter   = "resource.type=\"cloud_run_revision\" AND metric.type=\"logging.googleapis.com/user/${google_logging_metric.sealed.name}\" AND metric.labels.service=\"${each.value.service}\" AND metric.labels.endpoint=\"${each.value.endpoint}\""
      duration = "${min(var.watermark_alert_intervals * each.value.interval_minutes * 60, 84600)}s"
      aggregations {
        alignment_period   = "300s"
        per_series_aligner = "ALIGN_SUM"
      }
    }
  }
}

resource "google_monitoring_dashboard" "connector" {
  dashboard_json = jsonencode({
    displayName = "Retail Data Connector (${var.name_prefix})"
    mosaicLayout = {
      columns = 12
      tiles = [
        for i, t in [
          { title = "Runs sealed", filter = "metric.type=\"logging.googleapis.com/user/${google_logging_metric.sealed.name}\"", aligner = "ALIGN_SUM" },
          { title = "Pages dead-lettered", filter = "metric.type=\"logging.googleapis.com/user/${google_logging_metric.dead_lettered.name}\"", aligner = "ALIGN_SUM" },
          { title = "Runs not sealed (integrity)", filter = "metric.type=\"logging.googleapis.com/user/${google_logging_metric.not_sealed.name}\"", aligner = "ALIGN_SUM" },
          { title = "Oldest page task (s)", filter = "metric.type=\"pubsub.googleapis.com/subscription/oldest_unacked_message_age\" AND resource.labels.subscription_id=\"${local.push_subscription}\"", aligner = "ALIGN_MAX" },
          { title = "Page tasks waiting", filter = "metric.type=\"pubsub.googleapis.com/subscription/num_undelivered_messages\" AND resource.labels.subscription_id=\"${local.push_subscription}\"", aligner = "ALIGN_MAX" },
          { title = "Worker responses by class", filter = "metric.type=\"run.googleapis.com/request_count\" AND resource.labels.service_name=\"${local.worker_name}\"", aligner = "ALIGN_RATE" },
          { title = "Worker instances", filter = "metric.type=\"run.googleapis.com/container/instance_count\" AND resource.labels.service_name=\"${local.worker_name}\"", aligner = "ALIGN_MAX" },
          { title = "Planner executions by result", filter = "metric.type=\"run.googleapis.com/job/completed_execution_count\" AND resource.labels.job_name=starts_with(\"${var.name_prefix}-plan-\")", aligner = "ALIGN_DELTA" },
          ] : {
          xPos   = (i % 2) * 6
          yPos   = floor(i / 2) * 4
          width  = 6
          height = 4
          widget = {
            title = t.title
            xyChart = {
              dataSets = [{
                plotType = "LINE"
                timeSeriesQuery = {
                  timeSeriesFilter = {
                    filter      = t.filter
                    aggregation = { alignmentPeriod = "300s", perSeriesAligner = t.aligner }
                  }
                }
              }]
            }
          }
        }
      ]
    }
  })
}
