# Bind a target group through a CAM role: the keys in the environment only sign AssumeRole, and
# every CLB call goes out with the role session, refreshed before it expires. The account guard
# stops the run if the role's account is not the one expected.
#
# The role and the account exist in the emulator's example world (examples/emulator/world.json);
# `scripts/demo assume-role` applies this example against it (STS follows the CLB endpoint).

terraform {
  required_providers {
    tencentcloud = {
      source  = "terraform.local/tencentcloud/tencentcloud"
      version = "0.1.0"
    }
  }
}

provider "tencentcloud" {
  region = var.region

  assume_role {
    role_arn         = var.role_arn
    session_name     = "terraform-demo"
    session_duration = 3600
  }

  allowed_account_ids = [var.account_id]
}

variable "region" {
  type    = string
  default = "ap-guangzhou"
}

variable "role_arn" {
  type    = string
  default = "qcs::cam::uin/100000000001:roleName/terraform-deployer"
}

variable "account_id" {
  description = "The account the role belongs to."
  type        = string
  default     = "100000000001"
}

resource "tencentcloud_clb_target_group_association" "tcp" {
  load_balancer_id = "lb-demo0001"
  listener_id      = "lbl-tcp00001"
  target_group_id  = "lbtg-web00001"
  weight           = 50
}

output "association_id" {
  value = tencentcloud_clb_target_group_association.tcp.id
}
