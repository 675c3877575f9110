# Gateway and interface VPC endpoints: AWS APIs reachable without internet egress.

data "aws_region" "current" {}

resource "aws_vpc_endpoint" "gateway" {
  for_each = var.gateway_endpoints

  vpc_id            = aws_vpc.this.id
  service_name      = "com.amazonaws.${data.aws_region.current.name}.${each.key}"
  vpc_endpoint_type = "Gateway"
  route_table_ids   = concat(aws_route_table.private[*].id, [for rt in aws_route_table.extra : rt.id])
  tags              = merge({ Name = "${var.name}-${each.key}" }, var.tags)
}

resource "aws_security_group" "endpoints" {
  count = length(var.interface_endpoints) > 0 ? 1 : 0

  name        = "${var.name}-endpoints"
  description = "Interface endpoints of ${var.name}: HTTPS from inside the VPC only"
  vpc_id      = aws_vpc.this.id
  tags        = merge({ Name = "${var.name}-endpoints" }, var.tags)
}

resource "aws_vpc_security_group_ingress_rule" "endpoints_https" {
  count = length(var.interface_endpoints) > 0 ? 1 : 0

  security_group_id = aws_security_group.endpoints[0].id
  description       = "HTTPS to AWS APIs from workloads in this VPC"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = var.cidr
}

locals {
  endpoint_subnet_ids = var.interface_endpoint_tier == "private" ? aws_subnet.private[*].id : [
    for key, subnet in aws_subnet.extra : subnet.id if local.extra_subnets[key].tier == var.interface_endpoint_tier
  ]
}

resource "aws_vpc_endpoint" "interface" {
  for_each = var.interface_endpoints

  vpc_id              = aws_vpc.this.id
  service_name        = "com.amazonaws.${data.aws_region.current.name}.${each.key}"
  vpc_endpoint_type   = "Interface"
  private_dns_enabled = true
  subnet_ids          = local.endpoint_subnet_ids
  security_group_ids  = [aws_security_group.endpoints[0].id]
  tags                = merge({ Name = "${var.name}-${each.key}" }, var.tags)

  # S3 is the one service with both endpoint types. Left unset, AWS makes its private DNS answer
  # only inbound (on-premises) resolvers and requires an S3 gateway endpoint for the VPC's own
  # clients; false makes the VPC's clients resolve the S3 names to this endpoint, with or without
  # a gateway endpoint.
  dynamic "dns_options" {
    for_each = each.key == "s3" ? [1] : []
    content {
      private_dns_only_for_inbound_resolver_endpoint = false
    }
  }

  lifecycle {
    # Read back only where the API reports DNS options (AWS does; the test emulator does not, which
    # would plan a change on every run). The S3 value above can only be turned to true together
    # with an S3 gateway endpoint, which the stack's reachability check reports as a bypass.
    ignore_changes = [dns_options]

    precondition {
      condition     = length(local.endpoint_subnet_ids) > 0
      error_message = "interface_endpoint_tier: '${var.interface_endpoint_tier}' is neither private nor a tier in extra_subnet_tiers."
    }
  }
}
