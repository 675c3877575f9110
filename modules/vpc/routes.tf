# Gateways and route tables: one per zone for private and each extra tier, one shared for public.

resource "aws_internet_gateway" "this" {
  count = var.create_public_subnets ? 1 : 0

  vpc_id = aws_vpc.this.id
  tags   = merge({ Name = var.name }, var.tags)
}

resource "aws_route_table" "public" {
  count = var.create_public_subnets ? 1 : 0

  vpc_id = aws_vpc.this.id
  tags   = merge({ Name = "${var.name}-public" }, var.tags)
}

resource "aws_route" "public_internet" {
  count = var.create_public_subnets ? 1 : 0

  route_table_id         = aws_route_table.public[0].id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = aws_internet_gateway.this[0].id
}

resource "aws_route_table_association" "public" {
  count = var.create_public_subnets ? var.az_count : 0

  subnet_id      = aws_subnet.public[count.index].id
  route_table_id = aws_route_table.public[0].id
}

locals {
  nat_count = { none = 0, single = 1, one_per_az = var.az_count }[var.nat_gateway_mode]
}

resource "aws_eip" "nat" {
  count = local.nat_count

  domain = "vpc"
  tags   = merge({ Name = "${var.name}-nat-${local.azs[count.index]}" }, var.tags)
}

resource "aws_nat_gateway" "this" {
  count = local.nat_count

  allocation_id = aws_eip.nat[count.index].id
  subnet_id     = aws_subnet.public[count.index].id
  tags          = merge({ Name = "${var.name}-${local.azs[count.index]}" }, var.tags)

  depends_on = [aws_internet_gateway.this]
}

resource "aws_route_table" "private" {
  count = var.az_count

  vpc_id = aws_vpc.this.id
  tags   = merge({ Name = "${var.name}-private-${local.azs[count.index]}" }, var.tags)
}

resource "aws_route" "private_nat" {
  count = local.nat_count > 0 ? var.az_count : 0

  route_table_id         = aws_route_table.private[count.index].id
  destination_cidr_block = "0.0.0.0/0"
  nat_gateway_id         = aws_nat_gateway.this[min(count.index, local.nat_count - 1)].id
}

resource "aws_route_table_association" "private" {
  count = var.az_count

  subnet_id      = aws_subnet.private[count.index].id
  route_table_id = aws_route_table.private[count.index].id
}

resource "aws_route_table" "extra" {
  for_each = local.extra_subnets

  vpc_id = aws_vpc.this.id
  tags   = merge({ Name = "${var.name}-${each.value.tier}-${each.value.az}" }, var.tags)
}

resource "aws_route_table_association" "extra" {
  for_each = local.extra_subnets

  subnet_id      = aws_subnet.extra[each.key].id
  route_table_id = aws_route_table.extra[each.key].id
}
