# Subnet tiers: private always, public optional, extra tiers (firewall, endpoints, database) on demand.

resource "aws_subnet" "private" {
  count = var.az_count

  vpc_id            = aws_vpc.this.id
  availability_zone = local.azs[count.index]
  cidr_block        = cidrsubnet(var.cidr, var.subnet_newbits, local.private_offset + count.index)

  tags = merge({ Name = "${var.name}-private-${local.azs[count.index]}", Tier = "private" }, var.tags)
}

resource "aws_subnet" "public" {
  count = var.create_public_subnets ? var.az_count : 0

  vpc_id                  = aws_vpc.this.id
  availability_zone       = local.azs[count.index]
  cidr_block              = cidrsubnet(var.cidr, var.subnet_newbits, local.public_offset + count.index)
  map_public_ip_on_launch = false

  tags = merge({ Name = "${var.name}-public-${local.azs[count.index]}", Tier = "public" }, var.tags)
}

resource "aws_subnet" "extra" {
  for_each = local.extra_subnets

  vpc_id            = aws_vpc.this.id
  availability_zone = each.value.az
  cidr_block        = cidrsubnet(var.cidr, var.subnet_newbits, each.value.netnum)

  tags = merge({ Name = "${var.name}-${each.value.tier}-${each.value.az}", Tier = each.value.tier }, var.tags)
}
