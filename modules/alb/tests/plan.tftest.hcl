# Plan-level checks with a mocked provider: no AWS calls, runs offline in seconds.

mock_provider "aws" {}

variables {
  name                = "alb-test"
  vpc_id              = "vpc-0123456789abcdef0"
  vpc_cidr_block      = "10.20.0.0/16"
  subnet_ids          = ["subnet-a", "subnet-b", "subnet-c"]
  ingress_cidr_blocks = ["10.20.0.0/16"]
  access_logs_bucket  = "alb-logs-test"
  deletion_protection = false
  target_groups = {
    api   = { target_type = "lambda" }
    batch = { port = 8080, health_check_path = "/ready" }
  }
  path_rules = {
    payments = { priority = 10, path_patterns = ["/api/payments*"], target_group_key = "api" }
  }
}

run "hardened_load_balancer" {
  command = plan

  assert {
    condition     = aws_lb.this.enable_cross_zone_load_balancing == true && aws_lb.this.drop_invalid_header_fields == true
    error_message = "Cross-zone load balancing and dropping invalid headers must be on."
  }
  assert {
    condition     = aws_lb.this.access_logs[0].enabled && aws_lb.this.access_logs[0].bucket == "alb-logs-test"
    error_message = "Got access logs to ${aws_lb.this.access_logs[0].bucket}, expected alb-logs-test."
  }
  assert {
    condition     = aws_lb.this.internal == true
    error_message = "The default load balancer must be internal."
  }
}

run "plain_http_forward_without_a_certificate" {
  command = plan

  assert {
    condition     = length(aws_lb_listener.http_forward) == 1 && length(aws_lb_listener.https) == 0
    error_message = "Without a certificate, expected one plain HTTP listener and no HTTPS."
  }
}

run "https_with_tls12_and_http_redirect" {
  command = plan

  variables {
    certificate_arn = "arn:aws:acm:us-east-1:111122223333:certificate/abc"
  }

  assert {
    condition     = aws_lb_listener.https[0].ssl_policy == "ELBSecurityPolicy-TLS13-1-2-2021-06" && aws_lb_listener.https[0].port == 443
    error_message = "Got ${aws_lb_listener.https[0].ssl_policy}, expected the TLS 1.3/1.2 policy on 443."
  }
  assert {
    condition     = aws_lb_listener.http_redirect[0].default_action[0].redirect[0].protocol == "HTTPS" && aws_lb_listener.http_redirect[0].default_action[0].redirect[0].status_code == "HTTP_301"
    error_message = "HTTP must redirect permanently to HTTPS."
  }
  assert {
    condition     = length(aws_vpc_security_group_ingress_rule.cidr) == 2
    error_message = "Got ${length(aws_vpc_security_group_ingress_rule.cidr)} ingress rules, expected ports 80 and 443 from the admitted range."
  }
}

run "target_groups_have_health_checks_and_lambda_has_no_port" {
  command = plan

  assert {
    condition     = aws_lb_target_group.this["batch"].health_check[0].path == "/ready" && aws_lb_target_group.this["batch"].port == 8080
    error_message = "Got ${aws_lb_target_group.this["batch"].health_check[0].path}, expected /ready on 8080."
  }
  assert {
    condition     = aws_lb_target_group.this["api"].port == null && aws_lb_target_group.this["api"].target_type == "lambda"
    error_message = "A Lambda target group takes no port."
  }
  assert {
    condition     = one(one(aws_lb_listener_rule.path["payments"].condition).path_pattern).values == toset(["/api/payments*"])
    error_message = "The payments rule must match /api/payments*."
  }
}

run "explicit_target_group_names_win" {
  command = plan

  variables {
    target_groups = { api = { name = "tg-payments-api-pr7", target_type = "lambda" } }
  }

  assert {
    condition     = aws_lb_target_group.this["api"].name == "tg-payments-api-pr7"
    error_message = "Got ${aws_lb_target_group.this["api"].name}, expected the explicit name."
  }
}

run "rejects_open_ingress" {
  command = plan

  variables {
    ingress_cidr_blocks = ["0.0.0.0/0"]
  }

  expect_failures = [var.ingress_cidr_blocks]
}

run "rejects_a_name_over_32_characters" {
  command = plan

  variables {
    name = "a-load-balancer-name-that-is-too-long"
  }

  expect_failures = [var.name]
}

run "rejects_a_target_group_name_over_the_limit" {
  command = plan

  variables {
    name          = "payments-alb-pr1234-abc123"
    target_groups = { settlement = {} }
    path_rules    = {}
  }

  expect_failures = [aws_lb_target_group.this]
}
