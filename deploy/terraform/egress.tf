# Optional: one static egress IP address for APIs that allow-list callers. The apps
# send all their traffic into this subnet (Direct VPC egress); Cloud NAT gives it
# the reserved address, and Private Google Access keeps Pub/Sub and Storage calls
# off the NAT.

resource "google_compute_network" "egress" {
  count                   = var.static_egress_ip ? 1 : 0
  name                    = "${var.name_prefix}-egress"
  auto_create_subnetworks = false
  depends_on              = [google_project_service.apis]
}

resource "google_compute_subnetwork" "egress" {
  count                    = var.static_egress_ip ? 1 : 0
  name                     = "${var.name_prefix}-egress"
  region                   = var.region
  network                  = google_compute_network.egress[0].id
  ip_cidr_range            = var.egress_subnet_cidr
  private_ip_google_access = true
}

resource "google_compute_router" "egress" {
  count   = var.static_egress_ip ? 1 : 0
  name    = "${var.name_prefix}-egress"
  region  = var.region
  network = google_compute_network.egress[0].id
}

resource "google_compute_address" "egress" {
  count  = var.static_egress_ip ? 1 : 0
  name   = "${var.name_prefix}-egress"
  region = var.region
}

resource "google_compute_router_nat" "egress" {
  count                              = var.static_egress_ip ? 1 : 0
  name                               = "${var.name_prefix}-egress"
  router                             = google_compute_router.egress[0].name
  region                             = var.region
  nat_ip_allocate_option             = "MANUAL_ONLY"
  nat_ips                            = [google_compute_address.egress[0].self_link]
  source_subnetwork_ip_ranges_to_nat = "LIST_OF_SUBNETWORKS"
  subnetwork {
    name                    = google_compute_subnetwork.egress[0].id
    source_ip_ranges_to_nat = ["ALL_IP_RANGES"]
  }
}
