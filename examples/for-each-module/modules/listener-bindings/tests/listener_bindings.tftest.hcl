# `terraform test` for the listener-bindings module, run against the local CLB emulator instead
# of the cloud (docs/emulator.md, "Testing your modules against the emulator"):
#
#   tencentcloud-emulator --seed examples/emulator/world.json      # prints its URL
#   export TENCENTCLOUD_CLB_ENDPOINT=<that URL> TENCENTCLOUD_SECRET_ID=AKIDEXAMPLE \
#          TENCENTCLOUD_SECRET_KEY=Gu5t9xGARNpq86cd98joQYCN3EXAMPLE
#   terraform init && terraform test
#
# The IDs are those of the emulator's example world. Each run applies for real; terraform test
# destroys everything at the end.

variables {
  load_balancer_id = "lb-demo0001"
  target_group_id  = "lbtg-api00001"
}

run "binds_each_listener" {
  variables {
    listener_ids = ["lbl-fe000001", "lbl-fe000002", "lbl-fe000003"]
    weight       = 30
  }

  assert {
    condition     = length(output.association_ids) == 3
    error_message = "expected one binding per listener, got ${length(output.association_ids)}"
  }

  assert {
    condition     = output.association_ids["lbl-fe000002"] == "lb-demo0001#lbl-fe000002#lbtg-api00001"
    error_message = "the layer-4 ID is lb#listener#target-group, got ${output.association_ids["lbl-fe000002"]}"
  }

  assert {
    condition     = alltrue([for b in tencentcloud_clb_target_group_association.this : b.weight == 30])
    error_message = "every binding should carry weight 30"
  }
}

run "dropping_a_listener_keeps_the_others" {
  variables {
    listener_ids = ["lbl-fe000001", "lbl-fe000003"]
    weight       = 30
  }

  assert {
    condition     = keys(output.association_ids) == ["lbl-fe000001", "lbl-fe000003"]
    error_message = "only lbl-fe000002 should be unbound"
  }

  assert {
    condition     = output.association_ids["lbl-fe000001"] == run.binds_each_listener.association_ids["lbl-fe000001"]
    error_message = "the remaining bindings should be the same ones"
  }
}

run "no_weight_takes_the_cloud_default" {
  variables {
    listener_ids = ["lbl-fe000004"]
  }

  assert {
    condition     = tencentcloud_clb_target_group_association.this["lbl-fe000004"].weight == 10
    error_message = "a v2 target group bound without weight gets the cloud's default weight 10"
  }
}
