# The load balancer and its security group.

resource "aws_security_group" "this" {
  name        = "${var.name}-alb"
  description = "Load balancer ${var.name}: listener ports from admitted ranges and groups only"
  vpc_id      = var.vpc_id
  tags        = merge({ Name = "${var.name}-alb" }, var.tags)
}

locals {
  listener_ports = var.certificate_arn == null ? [80] : [80, 443]
  ingress_cidrs  = { for pair in setproduct(var.ingress_cidr_blocks, local.listener_ports) : "${pair[0]}-${pair[1]}" => { cidr = pair[0], port = pair[1] } }
  ingress_groups = { for pair in setproduct(var.ingress_security_group_ids, local.listener_ports) : "${pair[0]}-${pair[1]}" => { sg = pair[0], port = pair[1] } }
  target_ports   = toset([for tg in values(var.target_groups) : tostring(tg.port) if tg.target_type != "lambda"])
}

resource "aws_vpc_security_group_ingress_rule" "cidr" {
  for_each = local.ingress_cidrs

  security_group_id = aws_security_group.this.id
  description       = "Port ${each.value.port} from admitted range ${each.value.cidr}"
  ip_protocol       = "tcp"
  from_port         = each.value.port
  to_port           = each.value.port
  cidr_ipv4         = each.value.cidr
}

resource "aws_vpc_security_group_ingress_rule" "group" {
  for_each = local.ingress_groups

  security_group_id            = aws_security_group.this.id
  description                  = "Port ${each.value.port} from admitted group ${each.value.sg}"
  ip_protocol                  = "tcp"
  from_port                    = each.value.port
  to_port                      = each.value.port
  referenced_security_group_id = each.value.sg
}

resource "aws_vpc_security_group_egress_rule" "targets" {
  for_each = local.target_ports

  security_group_id = aws_security_group.this.id
  description       = "Port ${each.key} to targets inside the VPC"
  ip_protocol       = "tcp"
  from_port         = each.key
  to_port           = each.key
  cidr_ipv4         = var.vpc_cidr_block
}

resource "aws_lb" "this" {
  name               = var.name
  load_balancer_type = "application"
  internal           = var.internal
  subnets            = var.subnet_ids
  security_groups    = [aws_security_group.this.id]

  enable_cross_zone_load_balancing = true
  drop_invalid_header_fields       = true
  desync_mitigation_mode           = "strictest"
  enable_deletion_protection       = var.deletion_protection
  idle_timeout                     = var.idle_timeout

  access_logs {
    enabled = true
    bucket  = var.access_logs_bucket
    prefix  = var.access_logs_prefix
  }

  tags = merge({ Name = var.name }, var.tags)
}
