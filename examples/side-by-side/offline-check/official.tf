# Stand-in for ../official.tf in the offline check (tests/clb_examples.rs): the same locals, set
# to IDs of the emulator's example world (examples/emulator/world.json) instead of coming from
# the official provider's resources. main.tf is checked unchanged.
locals {
  load_balancer_id    = "lb-demo0001"
  tcp_listener_id     = "lbl-tcp00001"
  http_listener_id    = "lbl-http0001"
  api_rule_id         = "loc-api00001"
  web_target_group_id = "lbtg-web00001"
  api_target_group_id = "lbtg-api00001"
}
