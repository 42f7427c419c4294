# One Secret Manager secret per credential the service configs' auth names
# (basic auth: two). Terraform creates the secrets, never their values: add a
# version with `gcloud secrets versions add` (docs/deploy.md), so no credential
# ever reaches the Terraform state. Each app mounts the `latest` version as a
# file and reads it through <VAR>_FILE when an instance starts.

resource "google_secret_manager_secret" "api" {
  for_each  = local.secret_env
  secret_id = local.secret_id[each.value]
  replication {
    auto {}
  }
  depends_on = [google_project_service.apis]
}

# The worker serves every service, so it reads every secret.
resource "google_secret_manager_secret_iam_member" "worker" {
  for_each  = local.secret_env
  secret_id = google_secret_manager_secret.api[each.value].id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.worker.email}"
}

# The planner counts the window through the API, so it reads the secrets too.
resource "google_secret_manager_secret_iam_member" "planner" {
  for_each  = local.secret_env
  secret_id = google_secret_manager_secret.api[each.value].id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.planner.email}"
}
