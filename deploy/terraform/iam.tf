# Least privilege: each identity gets the roles docs/deploy.md ("Roles") justifies,
# on the one resource that needs them, never on the project.

resource "google_service_account" "planner" {
  account_id   = "${var.name_prefix}-planner"
  display_name = "RDC planner jobs"
}

resource "google_service_account" "worker" {
  account_id   = "${var.name_prefix}-worker"
  display_name = "RDC worker service"
}

resource "google_service_account" "push" {
  account_id   = "${var.name_prefix}-push"
  display_name = "RDC Pub/Sub push identity"
}

resource "google_service_account" "scheduler" {
  account_id   = "${var.name_prefix}-scheduler"
  display_name = "RDC planner trigger"
}

# Both apps list, read, create and replace objects (manifests, pages, page records,
# _SUCCESS, the watermark, dead-letter records); replacing needs storage.objects.delete.
resource "google_storage_bucket_iam_member" "data" {
  for_each = {
    planner = google_service_account.planner.email
    worker  = google_service_account.worker.email
  }
  bucket = google_storage_bucket.data.name
  role   = "roles/storage.objectAdmin"
  member = "serviceAccount:${each.value}"
}

# The mounted service configs: read only.
resource "google_storage_bucket_iam_member" "configs" {
  for_each = {
    for k, email in {
      planner = google_service_account.planner.email
      worker  = google_service_account.worker.email
    } : k => email if var.mount_service_configs
  }
  bucket = google_storage_bucket.configs[0].name
  role   = "roles/storage.objectViewer"
  member = "serviceAccount:${each.value}"
}

# The planner publishes the page tasks, and checks the topic exists before it writes anything.
resource "google_pubsub_topic_iam_member" "planner_publisher" {
  topic  = google_pubsub_topic.pages.id
  role   = "roles/pubsub.publisher"
  member = "serviceAccount:${google_service_account.planner.email}"
}

# With compaction on, the worker that seals a run publishes its compaction tasks to the same topic.
resource "google_pubsub_topic_iam_member" "worker_publisher" {
  count  = var.parquet ? 1 : 0
  topic  = google_pubsub_topic.pages.id
  role   = "roles/pubsub.publisher"
  member = "serviceAccount:${google_service_account.worker.email}"
}

resource "google_pubsub_topic_iam_member" "planner_viewer" {
  topic  = google_pubsub_topic.pages.id
  role   = "roles/pubsub.viewer"
  member = "serviceAccount:${google_service_account.planner.email}"
}

# The Pub/Sub service agent forwards undeliverable messages to the dead-letter topic,
# and acks them on the push subscription when it does.
resource "google_pubsub_topic_iam_member" "agent_dead_letter_publisher" {
  topic  = google_pubsub_topic.dead_letter.id
  role   = "roles/pubsub.publisher"
  member = "serviceAccount:${local.pubsub_agent}"
}

resource "google_pubsub_subscription_iam_member" "agent_subscriber" {
  subscription = google_pubsub_subscription.push.id
  role         = "roles/pubsub.subscriber"
  member       = "serviceAccount:${local.pubsub_agent}"
}

# Projects that enabled Pub/Sub on or before 8 April 2021: the agent mints the push
# identity's OIDC tokens.
resource "google_service_account_iam_member" "agent_token_creator" {
  service_account_id = google_service_account.push.name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = "serviceAccount:${local.pubsub_agent}"
}

# Pub/Sub may call the worker; nobody else may.
resource "google_cloud_run_v2_service_iam_member" "push_invoker" {
  name     = google_cloud_run_v2_service.worker.name
  location = var.region
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.push.email}"
}

# Cloud Scheduler starts each planner job (without overriding its arguments).
resource "google_cloud_run_v2_job_iam_member" "scheduler_invoker" {
  for_each = local.schedules
  name     = google_cloud_run_v2_job.planner[each.key].name
  location = var.region
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.scheduler.email}"
}
