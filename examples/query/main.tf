# Find bindings made by hand or by the official provider, and generate the configuration to manage
# them here. `terraform query` (Terraform 1.14 and later) reads the list blocks in
# bindings.tfquery.hcl; older Terraform versions ignore that file and see only this one.
#
#   terraform query                                    # list what exists
#   terraform query -generate-config-out=generated.tf  # resource and import blocks for each
#   terraform plan                                     # imports them by identity

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

# The IDs each line of a listing can be turned into, with the provider's functions (Terraform 1.8
# and later): parse a binding ID of either provider, and build ours from its parts.
output "official_id_parts" {
  value = provider::tencentcloud::parse_association_id("lbtg-web00001#lbl-http0001#lb-demo0001#loc-web00001")
}

output "association_id" {
  value = provider::tencentcloud::association_id({
    load_balancer_id = "lb-demo0001"
    listener_id      = "lbl-tcp00001"
    target_group_id  = "lbtg-web00001"
  })
}
