# Regional web ACL: rate limit, geo block, explicit SQLi/XSS, payment API guard, then managed groups.

locals {
  inspected_parts = ["query_string", "body", "uri_path"]
  method_regex    = "^(${join("|", var.payment_api_methods)})$"
}

resource "aws_wafv2_web_acl" "this" {
  name        = var.name
  description = "Protects the payment platform load balancer"
  scope       = "REGIONAL"

  default_action {
    allow {}
  }

  rule {
    name     = "rate-limit-per-ip"
    priority = 1
    action {
      block {}
    }
    statement {
      rate_based_statement {
        limit                 = var.rate_limit
        evaluation_window_sec = var.rate_limit_window_seconds
        aggregate_key_type    = "IP"
      }
    }
    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${var.name}-rate-limit"
      sampled_requests_enabled   = true
    }
  }

  dynamic "rule" {
    for_each = length(var.geo_block_countries) > 0 ? [1] : []
    content {
      name     = "geo-block"
      priority = 2
      action {
        block {}
      }
      statement {
        geo_match_statement {
          country_codes = var.geo_block_countries
        }
      }
      visibility_config {
        cloudwatch_metrics_enabled = true
        metric_name                = "${var.name}-geo-block"
        sampled_requests_enabled   = true
      }
    }
  }

  rule {
    name     = "sql-injection"
    priority = 10
    action {
      block {}
    }
    statement {
      or_statement {
        dynamic "statement" {
          for_each = local.inspected_parts
          content {
            sqli_match_statement {
              field_to_match {
                dynamic "query_string" {
                  for_each = statement.value == "query_string" ? [1] : []
                  content {}
                }
                dynamic "body" {
                  for_each = statement.value == "body" ? [1] : []
                  content {
                    oversize_handling = "MATCH"
                  }
                }
                dynamic "uri_path" {
                  for_each = statement.value == "uri_path" ? [1] : []
                  content {}
                }
              }
              text_transformation {
                priority = 1
                type     = "URL_DECODE"
              }
              text_transformation {
                priority = 2
                type     = "HTML_ENTITY_DECODE"
              }
            }
          }
        }
      }
    }
    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${var.name}-sqli"
      sampled_requests_enabled   = true
    }
  }

  rule {
    name     = "cross-site-scripting"
    priority = 11
    action {
      block {}
    }
    statement {
      or_statement {
        dynamic "statement" {
          for_each = local.inspected_parts
          content {
            xss_match_statement {
              field_to_match {
                dynamic "query_string" {
                  for_each = statement.value == "query_string" ? [1] : []
                  content {}
                }
                dynamic "body" {
                  for_each = statement.value == "body" ? [1] : []
                  content {
                    oversize_handling = "MATCH"
                  }
                }
                dynamic "uri_path" {
                  for_each = statement.value == "uri_path" ? [1] : []
                  content {}
                }
              }
              text_transformation {
                priority = 1
                type     = "URL_DECODE"
              }
              text_transformation {
                priority = 2
                type     = "HTML_ENTITY_DECODE"
              }
            }
          }
        }
      }
    }
    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${var.name}-xss"
      sampled_requests_enabled   = true
    }
  }

  # Payment API: only the allowed methods.
  rule {
    name     = "payment-api-methods"
    priority = 20
    action {
      block {}
    }
    statement {
      and_statement {
        statement {
          byte_match_statement {
            search_string         = var.payment_api_path
            positional_constraint = "STARTS_WITH"
            field_to_match {
              uri_path {}
            }
            text_transformation {
              priority = 0
              type     = "NONE"
            }
          }
        }
        statement {
          not_statement {
            statement {
              regex_match_statement {
                regex_string = local.method_regex
                field_to_match {
                  method {}
                }
                text_transformation {
                  priority = 0
                  type     = "NONE"
                }
              }
            }
          }
        }
      }
    }
    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${var.name}-payment-api-methods"
      sampled_requests_enabled   = true
    }
  }

  # Payment API: writes must be JSON.
  rule {
    name     = "payment-api-json-only"
    priority = 21
    action {
      block {}
    }
    statement {
      and_statement {
        statement {
          byte_match_statement {
            search_string         = var.payment_api_path
            positional_constraint = "STARTS_WITH"
            field_to_match {
              uri_path {}
            }
            text_transformation {
              priority = 0
              type     = "NONE"
            }
          }
        }
        statement {
          regex_match_statement {
            regex_string = "^(POST|PUT|PATCH)$"
            field_to_match {
              method {}
            }
            text_transformation {
              priority = 0
              type     = "NONE"
            }
          }
        }
        statement {
          not_statement {
            statement {
              byte_match_statement {
                search_string         = "application/json"
                positional_constraint = "STARTS_WITH"
                field_to_match {
                  single_header {
                    name = "content-type"
                  }
                }
                text_transformation {
                  priority = 0
                  type     = "LOWERCASE"
                }
              }
            }
          }
        }
      }
    }
    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${var.name}-payment-api-json"
      sampled_requests_enabled   = true
    }
  }

  dynamic "rule" {
    for_each = { for i, group in var.managed_rule_groups : group => 30 + i }
    content {
      name     = rule.key
      priority = rule.value
      override_action {
        none {}
      }
      statement {
        managed_rule_group_statement {
          vendor_name = "AWS"
          name        = rule.key
        }
      }
      visibility_config {
        cloudwatch_metrics_enabled = true
        metric_name                = "${var.name}-${rule.key}"
        sampled_requests_enabled   = true
      }
    }
  }

  visibility_config {
    cloudwatch_metrics_enabled = true
    metric_name                = var.name
    sampled_requests_enabled   = true
  }

  tags = merge({ Name = var.name }, var.tags)
}

resource "aws_wafv2_web_acl_association" "this" {
  count = var.create_association ? 1 : 0

  resource_arn = var.resource_arn
  web_acl_arn  = aws_wafv2_web_acl.this.arn

  lifecycle {
    precondition {
      condition     = var.resource_arn != null
      error_message = "resource_arn: required when create_association is true."
    }
  }
}

# Keep only blocked requests, and never the Authorization header.
resource "aws_wafv2_web_acl_logging_configuration" "this" {
  resource_arn            = aws_wafv2_web_acl.this.arn
  log_destination_configs = [var.log_bucket_arn]

  redacted_fields {
    single_header {
      name = "authorization"
    }
  }

  logging_filter {
    default_behavior = "DROP"

    filter {
      behavior    = "KEEP"
      requirement = "MEETS_ANY"
      condition {
        action_condition {
          action = "BLOCK"
        }
      }
    }
  }
}
