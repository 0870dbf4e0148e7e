# Bind a target group to a layer-4 (TCP) listener.
#
# The default IDs exist in the emulator's example world (examples/emulator/world.json);
# `scripts/demo` applies this example against it.

terraform {
  required_providers {
    tencentcloud = {
      source  = "terraform.local/tencentcloud/tencentcloud"
      version = "0.1.0"
    }
  }
}

# Credentials and endpoint come from the environment (TENCENTCLOUD_SECRET_ID,
# TENCENTCLOUD_SECRET_KEY, TENCENTCLOUD_CLB_ENDPOINT for the emulator).
provider "tencentcloud" {
  region = var.region
}

variable "region" {
  type    = string
  default = "ap-guangzhou"
}

variable "load_balancer_id" {
  type    = string
  default = "lb-demo0001"
}

variable "listener_id" {
  description = "A TCP/UDP listener in target-group mode."
  type        = string
  default     = "lbl-tcp00001"
}

variable "target_group_id" {
  type    = string
  default = "lbtg-web00001"
}

resource "tencentcloud_clb_target_group_association" "tcp" {
  load_balancer_id = var.load_balancer_id
  listener_id      = var.listener_id
  target_group_id  = var.target_group_id
  weight           = 50

  timeouts {
    create = "5m"
    delete = "5m"
  }
}

output "association_id" {
  value = tencentcloud_clb_target_group_association.tcp.id
}
