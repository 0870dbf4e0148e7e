# Bind target groups to listeners and rules made by the official provider (official.tf) with
# this provider's tencentcloud_clb_target_group_association, in one configuration.
#
# Both providers read the same credentials from the environment (TENCENTCLOUD_SECRET_ID,
# TENCENTCLOUD_SECRET_KEY, and TENCENTCLOUD_REGION unless `region` is set), so one
# `export` serves both. See docs/index.md, "Side by side with the official provider".

variable "region" {
  type    = string
  default = "ap-guangzhou"
}

provider "tcclb" {
  region = var.region
}

# Layer 4: the web group behind the TCP listener.
resource "tencentcloud_clb_target_group_association" "tcp" {
  provider = tcclb

  load_balancer_id = local.load_balancer_id
  listener_id      = local.tcp_listener_id
  target_group_id  = local.web_target_group_id
  weight           = 50
}

# Layer 7: the API group behind the /api rule.
resource "tencentcloud_clb_target_group_association" "api" {
  provider = tcclb

  load_balancer_id = local.load_balancer_id
  listener_id      = local.http_listener_id
  location_id      = local.api_rule_id
  target_group_id  = local.api_target_group_id
  weight           = 80
}

output "association_ids" {
  value = [
    tencentcloud_clb_target_group_association.tcp.id,
    tencentcloud_clb_target_group_association.api.id,
  ]
}
