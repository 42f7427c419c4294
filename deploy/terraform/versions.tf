# The Retail Data Connector on Google Cloud: one bucket, one task topic with its
# dead-letter topic, one push worker (Cloud Run service) and one planner job per
# service and endpoint (Cloud Run jobs), each started by Cloud Scheduler.
# See docs/deploy.md, "Deploy with Terraform".

terraform {
  required_version = ">= 1.5"
  required_providers {
    google = {
      source  = "hashicorp/google"
      version = ">= 6.0, < 8.0"
    }
  }
}

provider "google" {
  project = var.project_id
  region  = var.region
}
