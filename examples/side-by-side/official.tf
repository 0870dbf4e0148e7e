# The load balancer, its listeners and rule, and the target groups, managed by the official
# provider (tencentcloudstack/tencentcloud) as many configurations already do.

variable "vpc_id" {
  description = "The VPC of the load balancer and the target groups (vpc-…)."
  type        = string
}

provider "tencentcloud" {
  region = var.region
}

resource "tencentcloud_clb_instance" "web" {
  network_type = "OPEN"
  clb_name     = "web"
  vpc_id       = var.vpc_id
}

# Layer 4: a TCP listener in target-group mode.
resource "tencentcloud_clb_listener" "tcp" {
  clb_id        = tencentcloud_clb_instance.web.id
  listener_name = "tcp-443"
  port          = 443
  protocol      = "TCP"
  target_type   = "TARGETGROUP"
}

# Layer 7: an HTTP listener with one forwarding rule in target-group mode.
resource "tencentcloud_clb_listener" "http" {
  clb_id        = tencentcloud_clb_instance.web.id
  listener_name = "http-80"
  port          = 80
  protocol      = "HTTP"
}

resource "tencentcloud_clb_listener_rule" "api" {
  clb_id      = tencentcloud_clb_instance.web.id
  listener_id = tencentcloud_clb_listener.http.listener_id
  domain      = "www.example.com"
  url         = "/api"
  target_type = "TARGETGROUP"
}

resource "tencentcloud_clb_target_group" "web" {
  target_group_name = "web"
  vpc_id            = var.vpc_id
  port              = 80
  type              = "v2"
  protocol          = "TCP"
}

resource "tencentcloud_clb_target_group" "api" {
  target_group_name = "api"
  vpc_id            = var.vpc_id
  port              = 8080
  type              = "v2"
  protocol          = "HTTP"
}

# The IDs the bindings in main.tf use, in one place.
locals {
  load_balancer_id    = tencentcloud_clb_instance.web.id
  tcp_listener_id     = tencentcloud_clb_listener.tcp.listener_id
  http_listener_id    = tencentcloud_clb_listener.http.listener_id
  api_rule_id         = tencentcloud_clb_listener_rule.api.rule_id
  web_target_group_id = tencentcloud_clb_target_group.web.id
  api_target_group_id = tencentcloud_clb_target_group.api.id
}
