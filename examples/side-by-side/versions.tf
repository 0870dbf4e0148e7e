terraform {
  required_providers {
    # The official provider keeps the local name `tencentcloud`, so its resources need no
    # `provider` argument and existing configurations stay as they are.
    tencentcloud = {
      source  = "tencentcloudstack/tencentcloud"
      version = ">= 1.81.0"
    }
    # This provider, under a second local name; its resources say `provider = tcclb`.
    tcclb = {
      source  = "terraform.local/tencentcloud/tencentcloud"
      version = "0.1.0"
    }
  }
}
