# The topics and subscriptions of docker/pubsub-topology.txt (push mode), with the
# same names and delivery policy; test/static/terraform.test.ts keeps them in step.

resource "google_pubsub_topic" "pages" {
  name       = local.topic
  depends_on = [google_project_service.apis]
}

resource "google_pubsub_topic" "dead_letter" {
  name       = local.dead_letter_topic
  depends_on = [google_project_service.apis]
}

# Holds what the subscription's dead-letter policy forwards, for inspection
# (gcloud pubsub subscriptions pull <prefix>-pages-dead-sub).
resource "google_pubsub_subscription" "dead_letter" {
  name                       = local.dead_letter_subscription
  topic                      = google_pubsub_topic.dead_letter.id
  message_retention_duration = "604800s"
  expiration_policy {
    ttl = ""
  }
}

resource "google_pubsub_subscription" "push" {
  name                 = local.push_subscription
  topic                = google_pubsub_topic.pages.id
  ack_deadline_seconds = var.ack_deadline_seconds

  push_config {
    push_endpoint = "${google_cloud_run_v2_service.worker.uri}/"
    oidc_token {
      service_account_email = google_service_account.push.email
      audience              = local.push_audience
    }
  }

  retry_policy {
    minimum_backoff = var.min_retry_delay
    maximum_backoff = var.max_retry_delay
  }

  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.dead_letter.id
    max_delivery_attempts = var.max_delivery_attempts
  }

  expiration_policy {
    ttl = ""
  }

  # The agent must be able to forward to the dead-letter topic and ack here first.
  depends_on = [google_pubsub_topic_iam_member.agent_dead_letter_publisher]
}
