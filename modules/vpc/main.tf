# The VPC, its zones and its locked-down default security group.

data "aws_availability_zones" "available" {
  count = length(var.availability_zones) == 0 ? 1 : 0
  state = "available"
}

locals {
  azs = length(var.availability_zones) > 0 ? slice(var.availability_zones, 0, var.az_count) : slice(data.aws_availability_zones.available[0].names, 0, var.az_count)

  # Subnet index bases inside the VPC CIDR: private 0.., public 10.., extra tiers at their own offsets.
  private_offset = 0
  public_offset  = 10
  netnums = concat(
    [for i in range(var.az_count) : local.private_offset + i],
    var.create_public_subnets ? [for i in range(var.az_count) : local.public_offset + i] : [],
    flatten([for tier, cfg in var.extra_subnet_tiers : [for i in range(var.az_count) : cfg.offset + i]]),
  )

  extra_subnets = merge([
    for tier, cfg in var.extra_subnet_tiers : {
      for i, az in local.azs : "${tier}-${i}" => { tier = tier, az = az, index = i, netnum = cfg.offset + i }
    }
  ]...)
}

resource "aws_vpc" "this" {
  cidr_block           = var.cidr
  enable_dns_support   = true
  enable_dns_hostnames = true

  tags = merge({ Name = var.name }, var.tags)

  lifecycle {
    precondition {
      condition     = length(local.netnums) == length(distinct(local.netnums))
      error_message = "extra_subnet_tiers: offsets overlap each other or the private (0..) / public (10..) subnets."
    }
    precondition {
      condition     = max(local.netnums...) < pow(2, var.subnet_newbits)
      error_message = "subnet_newbits: too few bits for the highest subnet offset; raise subnet_newbits or lower the offsets."
    }
    precondition {
      condition     = var.nat_gateway_mode == "none" || var.create_public_subnets
      error_message = "nat_gateway_mode: NAT gateways need create_public_subnets = true."
    }
  }
}

# With no rule blocks, Terraform removes every rule AWS put on the default security group.
resource "aws_default_security_group" "this" {
  vpc_id = aws_vpc.this.id

  tags = merge({ Name = "${var.name}-default-locked" }, var.tags)
}
