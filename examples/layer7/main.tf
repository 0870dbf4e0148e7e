# Bind target groups to two layer-7 forwarding rules of one HTTP listener:
# `/` goes to the web group, `/api` to the API group.

terraform {
  required_providers {
    tencentcloud = {
      source  = "terraform.local/tencentcloud/tencentcloud"
      version = "0.1.0"
    }
  }
}

provider "tencentcloud" {
  region = "ap-guangzhou"
}

variable "load_balancer_id" {
  type    = string
  default = "lb-demo0001"
}

variable "listener_id" {
  description = "An HTTP or HTTPS listener."
  type        = string
  default     = "lbl-http0001"
}

resource "tencentcloud_clb_target_group_association" "web" {
  load_balancer_id = var.load_balancer_id
  listener_id      = var.listener_id
  location_id      = "loc-web00001" # www.example.com /
  target_group_id  = "lbtg-web00001"
}

resource "tencentcloud_clb_target_group_association" "api" {
  load_balancer_id = var.load_balancer_id
  listener_id      = var.listener_id
  location_id      = "loc-api00001" # www.example.com /api
  target_group_id  = "lbtg-api00001"
  weight           = 80
}

output "association_ids" {
  value = [
    tencentcloud_clb_target_group_association.web.id,
    tencentcloud_clb_target_group_association.api.id,
  ]
}
