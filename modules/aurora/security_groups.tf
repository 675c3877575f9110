# Who may reach the database: the proxy, and the given security groups. Nothing else.

resource "aws_security_group" "cluster" {
  name        = "${var.name}-cluster"
  description = "Aurora cluster ${var.name}: PostgreSQL from its proxy and allowed groups only"
  vpc_id      = var.vpc_id
  tags        = merge({ Name = "${var.name}-cluster" }, var.tags)
}

resource "aws_vpc_security_group_ingress_rule" "cluster_from_allowed" {
  for_each = var.allowed_security_groups

  security_group_id            = aws_security_group.cluster.id
  description                  = "PostgreSQL from allowed group ${each.key}"
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  referenced_security_group_id = each.value
}

resource "aws_vpc_security_group_ingress_rule" "cluster_from_proxy" {
  count = var.create_proxy ? 1 : 0

  security_group_id            = aws_security_group.cluster.id
  description                  = "PostgreSQL from the RDS Proxy"
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  referenced_security_group_id = aws_security_group.proxy[0].id
}

resource "aws_security_group" "proxy" {
  count = var.create_proxy ? 1 : 0

  name        = "${var.name}-proxy"
  description = "RDS Proxy of ${var.name}: PostgreSQL from allowed groups, out to the cluster"
  vpc_id      = var.vpc_id
  tags        = merge({ Name = "${var.name}-proxy" }, var.tags)
}

resource "aws_vpc_security_group_ingress_rule" "proxy_from_allowed" {
  for_each = var.create_proxy ? var.allowed_security_groups : {}

  security_group_id            = aws_security_group.proxy[0].id
  description                  = "PostgreSQL from allowed group ${each.key}"
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  referenced_security_group_id = each.value
}

resource "aws_vpc_security_group_egress_rule" "proxy_to_cluster" {
  count = var.create_proxy ? 1 : 0

  security_group_id            = aws_security_group.proxy[0].id
  description                  = "PostgreSQL to the cluster"
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  referenced_security_group_id = aws_security_group.cluster.id
}
