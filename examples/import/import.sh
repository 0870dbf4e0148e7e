#!/usr/bin/env bash
# Command-line import of an existing binding (the resource block must be in the configuration).
set -euo pipefail

# Layer 4: load balancer # listener # target group
terraform import tencentcloud_clb_target_group_association.tcp 'lb-demo0001#lbl-tcp00001#lbtg-web00001'

# Layer 7: load balancer # listener # rule # target group
terraform import tencentcloud_clb_target_group_association.web 'lb-demo0001#lbl-http0001#loc-web00001#lbtg-web00001'
