# Stand-in for ../versions.tf in the offline check (tests/clb_examples.rs): the official provider
# cannot be installed without the registry, so only this provider is required, under the same
# second local name.
terraform {
  required_providers {
    tcclb = {
      source  = "terraform.local/tencentcloud/tencentcloud"
      version = "0.1.0"
    }
  }
}
