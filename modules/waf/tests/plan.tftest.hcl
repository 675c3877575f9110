# Plan-level checks with a mocked provider: no AWS calls, runs offline in seconds.

mock_provider "aws" {}

variables {
  name           = "waf-test"
  resource_arn   = "arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/app/alb-test/abc"
  log_bucket_arn = "arn:aws:s3:::aws-waf-logs-test"
}

run "default_acl" {
  # One plan, many assertions: each plan of this large schema costs seconds against the mock.
  command = plan

  # rate limit is 1000 per 5 minutes per ip
  assert {
    condition     = one([for r in aws_wafv2_web_acl.this.rule : r.statement[0].rate_based_statement[0].limit if r.name == "rate-limit-per-ip"]) == 1000
    error_message = "Expected a rate limit of 1000."
  }
  assert {
    condition     = one([for r in aws_wafv2_web_acl.this.rule : r.statement[0].rate_based_statement[0].evaluation_window_sec if r.name == "rate-limit-per-ip"]) == 300
    error_message = "Expected a 300-second (5-minute) window."
  }
  assert {
    condition     = one([for r in aws_wafv2_web_acl.this.rule : r.statement[0].rate_based_statement[0].aggregate_key_type if r.name == "rate-limit-per-ip"]) == "IP"
    error_message = "Expected the limit to count per client IP."
  }

  # explicit sqli and xss rules block
  assert {
    condition     = length(one([for r in aws_wafv2_web_acl.this.rule : r.statement[0].or_statement[0].statement if r.name == "sql-injection"])) == 3
    error_message = "Expected SQL-injection inspection of query string, body and path."
  }
  assert {
    condition     = length(one([for r in aws_wafv2_web_acl.this.rule : r.action[0].block if r.name == "cross-site-scripting"])) == 1
    error_message = "Expected the XSS rule to block."
  }
  assert {
    condition     = contains([for r in aws_wafv2_web_acl.this.rule : r.name], "AWSManagedRulesSQLiRuleSet")
    error_message = "Expected the AWS managed SQLi group besides our own rule."
  }

  # no geo rule unless countries are given
  assert {
    condition     = !contains([for r in aws_wafv2_web_acl.this.rule : r.name], "geo-block")
    error_message = "No countries configured, expected no geo-block rule."
  }

  # payment api allows only configured methods
  assert {
    condition     = one([for r in aws_wafv2_web_acl.this.rule : r.statement[0].and_statement[0].statement[1].not_statement[0].statement[0].regex_match_statement[0].regex_string if r.name == "payment-api-methods"]) == "^(GET|POST)$"
    error_message = "Expected the payment API to admit only GET and POST."
  }

  # logs only blocked requests without authorization header
  assert {
    condition     = aws_wafv2_web_acl_logging_configuration.this.logging_filter[0].default_behavior == "DROP"
    error_message = "Expected everything but blocked requests to be dropped from the logs."
  }
  assert {
    condition     = one([for f in aws_wafv2_web_acl_logging_configuration.this.logging_filter[0].filter : one(one(f.condition).action_condition).action if f.behavior == "KEEP"]) == "BLOCK"
    error_message = "Expected BLOCK actions to be kept."
  }
  assert {
    condition     = aws_wafv2_web_acl_logging_configuration.this.log_destination_configs == toset(["arn:aws:s3:::aws-waf-logs-test"])
    error_message = "Expected logs in the aws-waf-logs- bucket."
  }

  # associated with the load balancer
  assert {
    condition     = aws_wafv2_web_acl_association.this[0].resource_arn == var.resource_arn
    error_message = "Expected the ACL on the given load balancer."
  }
}

run "geo_block_when_configured" {
  command = plan

  variables {
    geo_block_countries = ["KP", "IR"]
  }

  assert {
    condition     = one([for r in aws_wafv2_web_acl.this.rule : r.statement[0].geo_match_statement[0].country_codes if r.name == "geo-block"]) == tolist(["KP", "IR"])
    error_message = "Expected the geo rule to block KP and IR."
  }
}

run "rejects_a_log_bucket_without_the_required_prefix" {
  command = plan

  variables {
    log_bucket_arn = "arn:aws:s3:::waf-logs-test"
  }

  expect_failures = [var.log_bucket_arn]
}

run "rejects_lowercase_country_codes" {
  command = plan

  variables {
    geo_block_countries = ["kp"]
  }

  expect_failures = [var.geo_block_countries]
}
