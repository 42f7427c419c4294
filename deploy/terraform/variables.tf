# ---- Where ---------------------------------------------------------------------------

variable "project_id" {
  type        = string
  description = "Google Cloud project to deploy into, e.g. \"my-project\"."
}

variable "region" {
  type        = string
  description = "Region of the bucket, the worker, the planner jobs and the schedules, e.g. \"europe-west1\"."
}

variable "name_prefix" {
  type        = string
  default     = "rdc"
  description = "Prefix of every resource name: <prefix>-pages (topic), <prefix>-worker (service), <prefix>-plan-<service>-<endpoint> (jobs). Keep the default unless two deployments share a project."
}

# ---- Images --------------------------------------------------------------------------

variable "worker_image" {
  type        = string
  description = "Worker image built from Dockerfile.worker, pinned by tag or digest, e.g. \"europe-west1-docker.pkg.dev/my-project/rdc/worker:1f2e3d4\". Deploy a new worker before a new planner (see docs/deploy.md, Upgrades)."
}

variable "planner_image" {
  type        = string
  description = "Planner image built from Dockerfile.planner, from the same release as worker_image or older."
}

# ---- Data ----------------------------------------------------------------------------

variable "bucket_name" {
  type        = string
  description = "Bucket the pages land in (created here), e.g. \"my-project-retail-raw\"."
}

variable "sink_prefix" {
  type        = string
  default     = "raw"
  description = "Folder inside the bucket: pages land under gs://<bucket_name>/<sink_prefix>/, bookkeeping under .../<sink_prefix>/_rdc/."
}

variable "bucket_force_destroy" {
  type        = bool
  default     = false
  description = "Let `terraform destroy` delete a bucket that still holds pages. Leave false in production."
}

# ---- Your services -------------------------------------------------------------------

variable "service_config_dir" {
  type        = string
  description = "Folder of your service JSON files (one service per file, as config/services/retail.json). Terraform reads each service's auth from them to create its secrets, and mounts them into the apps unless mount_service_configs is false."
}

variable "mount_service_configs" {
  type        = bool
  default     = true
  description = "true: upload service_config_dir to a config bucket and mount it read-only at /etc/rdc/services (RDC_CONFIG_DIR). false: the images carry the configs (COPY them over config/services/ in your own image)."
}

variable "services" {
  type = map(object({
    # The real API. Set as <SERVICE>_API_BASE_URL; null keeps the config's baseUrl.
    base_url = optional(string)
    # Per endpoint: when the planner runs (cron, UTC) and the interval it stands for.
    endpoints = map(object({
      schedule         = string
      interval_minutes = optional(number, 60)
      lookback         = optional(string)
    }))
  }))
  description = "The services to copy, by the name in their config file, with the endpoints to schedule. Example: { retail = { base_url = \"https://api.retailer.example\", endpoints = { sales = { schedule = \"5 * * * *\" } } } }."
}

# ---- The worker ----------------------------------------------------------------------

variable "worker_max_instances" {
  type        = number
  default     = 5
  description = "Worker instances at most. The fleet stays under the API's rate limit when max_instances x requests_per_second <= the API's limit."
}

variable "worker_min_instances" {
  type        = number
  default     = 0
  description = "Worker instances kept warm. 0 scales to zero between runs."
}

variable "worker_concurrency" {
  type        = number
  default     = 4
  description = "Push requests (pages) one worker instance works at once (Cloud Run's concurrency)."
}

variable "worker_cpu" {
  type        = string
  default     = "1"
  description = "vCPUs per worker instance."
}

variable "worker_memory" {
  type        = string
  default     = "512Mi"
  description = "Memory per worker instance: about 100 MiB + concurrency x 5 x limits.maxResponseBytes (see docs/deploy.md, Sizing)."
}

variable "requests_per_second" {
  type        = number
  default     = null
  description = "RDC_REQUESTS_PER_SECOND of each worker instance: the API's limit divided by worker_max_instances. null keeps the configs' limits.requestsPerSecond."
}

variable "api_concurrency" {
  type        = number
  default     = null
  description = "RDC_API_CONCURRENCY of each worker instance (requests in flight to one API). null keeps the configs' limits.concurrency."
}

variable "gzip" {
  type        = bool
  default     = false
  description = "Write pages as .ndjson.gz (RDC_GZIP)."
}

variable "parquet" {
  type        = bool
  default     = false
  description = "Compaction into Parquet (RDC_COMPACT_TOPIC): the worker that seals a run of an endpoint whose config has \"parquet\": {} publishes its compaction tasks to the page topic (and may: roles/pubsub.publisher on it)."
}

variable "parquet_all_endpoints" {
  type        = bool
  default     = false
  description = "With parquet = true: compact every endpoint's sealed runs, whatever its config says (RDC_PARQUET)."
}

variable "log_level" {
  type        = string
  default     = "info"
  description = "LOG_LEVEL of both apps: error, warn, info or debug."
}

# ---- Delivery ------------------------------------------------------------------------

variable "ack_deadline_seconds" {
  type        = number
  default     = 60
  description = "The push subscription's ack deadline, the worker's request timeout and RDC_ACK_DEADLINE_SECONDS, kept equal."
}

variable "max_delivery_attempts" {
  type        = number
  default     = 5
  description = "Deliveries before a failing page is dead-lettered: the subscription's dead-letter policy and RDC_MAX_DELIVERY_ATTEMPTS, kept equal."
}

variable "min_retry_delay" {
  type        = string
  default     = "10s"
  description = "The push subscription's shortest redelivery backoff."
}

variable "max_retry_delay" {
  type        = string
  default     = "600s"
  description = "The push subscription's longest redelivery backoff."
}

# ---- The planner ---------------------------------------------------------------------

variable "planner_task_timeout" {
  type        = string
  default     = "600s"
  description = "Longest a planner execution may take. Keep timeout x (max_retries + 1) well inside the end granularity."
}

variable "planner_max_retries" {
  type        = number
  default     = 3
  description = "Retries of a failed planner execution. A retry within the same hour is the same run."
}

variable "end_granularity" {
  type        = string
  default     = "1h"
  description = "RDC_END_GRANULARITY: a scheduled run ends at now truncated to this."
}

# ---- Egress --------------------------------------------------------------------------

variable "static_egress_ip" {
  type        = bool
  default     = false
  description = "Send every request of the apps through Cloud NAT with one reserved IP address, for APIs that allow-list callers. Creates a VPC, a subnet, a router, the address and the NAT."
}

variable "egress_subnet_cidr" {
  type        = string
  default     = "10.8.0.0/26"
  description = "Range of the subnet the apps egress from (Direct VPC egress) when static_egress_ip is true."
}

# ---- Alerting ------------------------------------------------------------------------

variable "notification_channels" {
  type        = list(string)
  default     = []
  description = "Monitoring notification channel ids (projects/<p>/notificationChannels/<id>) every alert goes to. Empty: alerts show in the console only."
}

variable "oldest_unacked_alert_seconds" {
  type        = number
  default     = 3600
  description = "Alert when the oldest undelivered page task is older than this."
}

variable "watermark_alert_intervals" {
  type        = number
  default     = 3
  description = "Alert when no run of an endpoint was sealed for this many of its schedule intervals (the watermark stopped moving)."
}
