# The bucket the pages land in: data under <sink_prefix>/<service>/<endpoint>/,
# bookkeeping under <sink_prefix>/_rdc/.
resource "google_storage_bucket" "data" {
  name                        = var.bucket_name
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = var.bucket_force_destroy
  depends_on                  = [google_project_service.apis]
}

# Your service configs, mounted read-only into both apps at /etc/rdc/services.
resource "google_storage_bucket" "configs" {
  count                       = var.mount_service_configs ? 1 : 0
  name                        = "${var.bucket_name}-configs"
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = true
  depends_on                  = [google_project_service.apis]
}

resource "google_storage_bucket_object" "configs" {
  for_each     = var.mount_service_configs ? local.config_files : toset([])
  bucket       = google_storage_bucket.configs[0].name
  name         = each.value
  source       = "${var.service_config_dir}/${each.value}"
  content_type = "application/json"
}
