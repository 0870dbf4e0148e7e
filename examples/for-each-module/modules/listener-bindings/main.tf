# Binds one target group to many layer-4 listeners of one load balancer.
# Each binding is its own resource instance, keyed by listener ID, so adding or
# removing a listener touches only that binding.

terraform {
  required_providers {
    tencentcloud = {
      source  = "terraform.local/tencentcloud/tencentcloud"
      version = "0.1.0"
    }
  }
}

variable "load_balancer_id" {
  description = "The load balancer that owns the listeners (lb-…)."
  type        = string
}

variable "target_group_id" {
  description = "The target group to bind (lbtg-…)."
  type        = string
}

variable "listener_ids" {
  description = "Layer-4 listeners in target-group mode (lbl-…)."
  type        = set(string)
}

variable "weight" {
  description = "Weight of every binding (v2 target groups only), 0 to 100; null keeps the cloud default."
  type        = number
  default     = null
}

resource "tencentcloud_clb_target_group_association" "this" {
  for_each = var.listener_ids

  load_balancer_id = var.load_balancer_id
  listener_id      = each.value
  target_group_id  = var.target_group_id
  weight           = var.weight
}

output "association_ids" {
  description = "Association IDs keyed by listener ID."
  value       = { for k, v in tencentcloud_clb_target_group_association.this : k => v.id }
}
