# Adopt bindings that already exist in the cloud.
#
# Canonical IDs: lb-…#lbl-…#lbtg-… (layer 4) and lb-…#lbl-…#loc-…#lbtg-… (layer 7).
# The official provider's attachment ID (lbtg-…#lbl-…#lb-…#loc-…, or lbtg-…#lbl-…#lb-…# for
# layer 4) is accepted too, so state can be migrated from tencentcloud_clb_target_group_attachment.
#
# `terraform plan -generate-config-out=generated.tf` writes the resource blocks for you if you
# leave them out.

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

import {
  to = tencentcloud_clb_target_group_association.tcp
  id = "lb-demo0001#lbl-tcp00001#lbtg-web00001"
}

import {
  to = tencentcloud_clb_target_group_association.web
  # The official provider's form, migrated as is.
  id = "lbtg-web00001#lbl-http0001#lb-demo0001#loc-web00001"
}

resource "tencentcloud_clb_target_group_association" "tcp" {
  load_balancer_id = "lb-demo0001"
  listener_id      = "lbl-tcp00001"
  target_group_id  = "lbtg-web00001"
}

resource "tencentcloud_clb_target_group_association" "web" {
  load_balancer_id = "lb-demo0001"
  listener_id      = "lbl-http0001"
  location_id      = "loc-web00001"
  target_group_id  = "lbtg-web00001"
}
