# Every binding of one target group, on any load balancer, with the full object of each (what
# -generate-config-out needs; it turns include_resource on by itself).
list "tencentcloud_clb_target_group_association" "web" {
  provider         = tencentcloud
  include_resource = true
  limit            = 500

  config {
    target_group_id = "lbtg-web00001"
  }
}

# Every binding on one listener of a load balancer (leave listener_id out for all its listeners).
list "tencentcloud_clb_target_group_association" "http_listener" {
  provider = tencentcloud

  config {
    load_balancer_id = "lb-demo0001"
    listener_id      = "lbl-http0001"
  }
}
