# Bind a new target group wherever an old one is bound: the data source lists the old group's
# bindings (layer-4 listeners and layer-7 rules alike), and one association per binding puts the
# new group next to it with the same weight. Useful for a blue/green switch of the backends.

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

variable "old_target_group_id" {
  description = "The target group whose bindings are copied."
  type        = string
  default     = "lbtg-web00001"
}

variable "new_target_group_id" {
  description = "The target group to bind at the same places (same VPC, v2 for weights)."
  type        = string
  default     = "lbtg-api00001"
}

data "tencentcloud_clb_target_group_associations" "old" {
  target_group_id = var.old_target_group_id
}

resource "tencentcloud_clb_target_group_association" "new" {
  # Keyed by where the binding is, so adding or removing one old binding touches only its twin.
  for_each = {
    for b in data.tencentcloud_clb_target_group_associations.old.associations :
    join("#", compact([b.load_balancer_id, b.listener_id, b.location_id])) => b
  }

  load_balancer_id = each.value.load_balancer_id
  listener_id      = each.value.listener_id
  location_id      = each.value.location_id
  target_group_id  = var.new_target_group_id
  weight           = each.value.weight
}

output "bound_at" {
  description = "Listener protocol and port (and rule domain and URL) of every new binding."
  value = {
    for k, b in data.tencentcloud_clb_target_group_associations.old.associations :
    join("#", compact([b.load_balancer_id, b.listener_id, b.location_id])) =>
    b.location_id == null ? "${b.protocol}:${b.port}" : "${b.protocol}:${b.port} ${b.domain}${b.url}"
  }
}
