//! The emulator world and the Terraform configuration for one benchmark case: N layer-4
//! bindings spread evenly over G load balancers.

use std::path::Path;

use tencentcloud_emulator::{
    DEFAULT_CREATED_TIME, Listener, LoadBalancer, TargetGroup, TargetGroupAssociation, World,
};

/// Target groups in the world: a realistic handful, so several bindings share each group
/// (that is what lets reads of one group be coalesced).
const TARGET_GROUPS: usize = 10;
/// Everything lives in one VPC, so every binding passes the VPC check.
const VPC: &str = "vpc-bench001";
/// Weight of every binding (v2 groups).
const WEIGHT: u64 = 10;

/// The shape of one case's world.
#[derive(Debug, Clone, Copy)]
pub struct Layout {
    /// Bindings.
    pub bindings: usize,
    /// Load balancers they are spread over.
    pub load_balancers: usize,
}

impl Layout {
    /// Bindings on the busiest load balancer (they are dealt round-robin).
    pub fn per_load_balancer(&self) -> usize {
        self.bindings.div_ceil(self.load_balancers)
    }

    fn load_balancer_id(g: usize) -> String {
        format!("lb-bench{:03}", g + 1)
    }

    fn listener_id(g: usize, slot: usize) -> String {
        format!("lbl-b{:02}n{:05}", g + 1, slot + 1)
    }

    fn target_group_id(k: usize) -> String {
        format!("lbtg-bench{:03}", k + 1)
    }

    fn target_groups(&self) -> usize {
        self.bindings.clamp(1, TARGET_GROUPS)
    }

    /// Binding `i`: load balancer `i mod G`, its own TCP listener there, target group
    /// `i mod 10`.
    pub fn binding(&self, i: usize) -> TargetGroupAssociation {
        let g = i % self.load_balancers;
        TargetGroupAssociation {
            load_balancer_id: Self::load_balancer_id(g),
            listener_id: Self::listener_id(g, i / self.load_balancers),
            location_id: None,
            target_group_id: Self::target_group_id(i % self.target_groups()),
            weight: Some(WEIGHT),
        }
    }

    /// The world before apply: load balancers with one free TCP listener (target-group mode)
    /// per binding, and the v2 target groups; no associations.
    pub fn seed(&self) -> World {
        let per_lb = self.per_load_balancer();
        let load_balancers = (0..self.load_balancers)
            .map(|g| LoadBalancer {
                load_balancer_id: Self::load_balancer_id(g),
                load_balancer_name: format!("bench-{}", g + 1),
                vpc_id: VPC.to_string(),
                region: None,
                forward: 1,
                load_balancer_type: "OPEN".to_string(),
                create_time: DEFAULT_CREATED_TIME.to_string(),
                listeners: (0..per_lb)
                    .map(|slot| Listener {
                        listener_id: Self::listener_id(g, slot),
                        listener_name: format!("tcp-{}", 10_000 + slot),
                        protocol: "TCP".to_string(),
                        port: 10_000 + slot as i64,
                        target_type: Some("TARGETGROUP".to_string()),
                        create_time: DEFAULT_CREATED_TIME.to_string(),
                        rules: Vec::new(),
                    })
                    .collect(),
            })
            .collect();
        let target_groups = (0..self.target_groups())
            .map(|k| TargetGroup {
                target_group_id: Self::target_group_id(k),
                target_group_name: format!("bench-tg-{}", k + 1),
                vpc_id: VPC.to_string(),
                region: None,
                port: Some(8080),
                target_group_type: "v2".to_string(),
                protocol: Some("TCP".to_string()),
                weight: None,
                created_time: DEFAULT_CREATED_TIME.to_string(),
            })
            .collect();
        World {
            load_balancers,
            target_groups,
            associations: Vec::new(),
            ..World::default()
        }
    }

    /// Writes `world.json` (the emulator's seed) and the Terraform configuration (`main.tf`
    /// plus the bindings as `bindings.auto.tfvars.json`) into `dir`.
    pub fn write(&self, dir: &Path) -> std::io::Result<()> {
        let mut world = self.seed();
        world
            .normalize()
            .map_err(|e| std::io::Error::other(format!("generated world is invalid: {e}")))?;
        std::fs::write(dir.join("world.json"), serde_json::to_vec_pretty(&world)?)?;
        std::fs::create_dir_all(dir.join("config"))?;
        std::fs::write(dir.join("config/main.tf"), MAIN_TF)?;
        let bindings: serde_json::Map<String, serde_json::Value> = (0..self.bindings)
            .map(|i| {
                let b = self.binding(i);
                (
                    format!("b{i:04}"),
                    serde_json::json!({
                        "load_balancer_id": b.load_balancer_id,
                        "listener_id": b.listener_id,
                        "target_group_id": b.target_group_id,
                        "weight": b.weight,
                    }),
                )
            })
            .collect();
        std::fs::write(
            dir.join("config/bindings.auto.tfvars.json"),
            serde_json::to_vec_pretty(&serde_json::json!({ "bindings": bindings }))?,
        )
    }
}

/// One resource block with `for_each`: what a user managing many bindings writes. The long
/// timeouts let a slow (one task per binding) provider finish instead of timing out.
const MAIN_TF: &str = r#"terraform {
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

variable "bindings" {
  type = map(object({
    load_balancer_id = string
    listener_id      = string
    target_group_id  = string
    weight           = number
  }))
}

resource "tencentcloud_clb_target_group_association" "bench" {
  for_each         = var.bindings
  load_balancer_id = each.value.load_balancer_id
  listener_id      = each.value.listener_id
  target_group_id  = each.value.target_group_id
  weight           = each.value.weight

  timeouts {
    create = "60m"
    delete = "60m"
  }
}
"#;
