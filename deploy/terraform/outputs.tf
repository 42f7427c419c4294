output "sink" {
  description = "Where the pages land: pass it to `npm run status -- ... --sink`."
  value       = local.sink
}

output "topic" {
  description = "The task topic the planner jobs publish to."
  value       = google_pubsub_topic.pages.name
}

output "worker_url" {
  description = "The worker service's URL (the push endpoint)."
  value       = google_cloud_run_v2_service.worker.uri
}

output "planner_jobs" {
  description = "The planner job of each service.endpoint: run a backfill with `gcloud run jobs execute <job> --args=...`."
  value       = { for k, j in google_cloud_run_v2_job.planner : k => j.name }
}

output "secrets" {
  description = "The secret to add a version to, by the env variable the apps read."
  value       = { for v, s in google_secret_manager_secret.api : v => s.secret_id }
}

output "egress_ip" {
  description = "The address the APIs see when static_egress_ip is true: allow-list it."
  value       = var.static_egress_ip ? google_compute_address.egress[0].address : null
}
