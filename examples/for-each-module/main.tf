# Bind one target group to the 20 front-end listeners lbl-fe000001 … lbl-fe000020
# of the emulator's example world, through a reusable module.

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

module "frontends" {
  source = "./modules/listener-bindings"

  load_balancer_id = "lb-demo0001"
  target_group_id  = "lbtg-api00001"
  listener_ids     = [for i in range(1, 21) : format("lbl-fe%06d", i)]
  weight           = 10
}

output "association_ids" {
  value = module.frontends.association_ids
}
