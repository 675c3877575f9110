# Target groups with health checks.

locals {
  target_group_names = { for key, tg in var.target_groups : key => coalesce(tg.name, "${var.name}-${key}") }
}

resource "aws_lb_target_group" "this" {
  for_each = var.target_groups

  name        = local.target_group_names[each.key]
  target_type = each.value.target_type
  vpc_id      = each.value.target_type == "lambda" ? null : var.vpc_id
  port        = each.value.target_type == "lambda" ? null : each.value.port
  protocol    = each.value.target_type == "lambda" ? null : each.value.protocol

  health_check {
    enabled             = true
    path                = each.value.health_check_path
    matcher             = each.value.matcher
    interval            = 30
    healthy_threshold   = 3
    unhealthy_threshold = 3
  }

  tags = merge({ Name = local.target_group_names[each.key] }, var.tags)

  lifecycle {
    precondition {
      condition     = length(local.target_group_names[each.key]) <= 32
      error_message = "target_groups: name '${local.target_group_names[each.key]}' exceeds the 32-character target group limit; set a shorter name or key."
    }
  }
}
