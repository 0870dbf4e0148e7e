# Stand-in for ../official.tf in the offline check (tests/clb_examples.rs). Built-in
# `terraform_data` resources play the official provider's resources: like them, their IDs are
# unknown until apply, so the bindings in main.tf (checked unchanged) see what they see on a
# first apply. The IDs are those of the emulator's example world (examples/emulator/world.json).

resource "terraform_data" "clb_instance" {
  input = "lb-demo0001"
}

resource "terraform_data" "tcp_listener" {
  input = "lbl-tcp00001"
}

resource "terraform_data" "http_listener" {
  input = "lbl-http0001"
}

resource "terraform_data" "api_rule" {
  input = "loc-api00001"
}

resource "terraform_data" "web_target_group" {
  input = "lbtg-web00001"
}

resource "terraform_data" "api_target_group" {
  input = "lbtg-api00001"
}

locals {
  load_balancer_id    = terraform_data.clb_instance.output
  tcp_listener_id     = terraform_data.tcp_listener.output
  http_listener_id    = terraform_data.http_listener.output
  api_rule_id         = terraform_data.api_rule.output
  web_target_group_id = terraform_data.web_target_group.output
  api_target_group_id = terraform_data.api_target_group.output
}
