# Plan-level checks with a mocked provider: no AWS calls, runs offline in seconds.

mock_provider "aws" {
  mock_data "aws_availability_zones" {
    defaults = { names = ["us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d"] }
  }
  mock_data "aws_region" {
    defaults = { name = "us-east-1" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
}

variables {
  name = "payments-test"
  cidr = "10.20.0.0/16"
}

run "three_private_subnets_in_three_zones" {
  command = plan

  assert {
    condition     = length(aws_subnet.private) == 3
    error_message = "Got ${length(aws_subnet.private)} private subnets, expected 3."
  }
  assert {
    condition     = length(distinct(aws_subnet.private[*].availability_zone)) == 3
    error_message = "Got zones ${join(",", aws_subnet.private[*].availability_zone)}, expected three distinct zones."
  }
  assert {
    condition     = aws_subnet.private[0].cidr_block == "10.20.0.0/24" && aws_subnet.private[2].cidr_block == "10.20.2.0/24"
    error_message = "Got ${aws_subnet.private[0].cidr_block}..${aws_subnet.private[2].cidr_block}, expected 10.20.0.0/24..10.20.2.0/24."
  }
  assert {
    condition     = length(aws_subnet.public) == 0 && length(aws_internet_gateway.this) == 0 && length(aws_nat_gateway.this) == 0
    error_message = "Got public subnets, an IGW or NAT by default; expected a private-only VPC."
  }
}

run "default_security_group_has_no_rules" {
  # apply (against the mock) because unset rule blocks are only known after apply
  command = apply

  assert {
    condition     = length(aws_default_security_group.this.ingress) == 0 && length(aws_default_security_group.this.egress) == 0
    error_message = "Got rules on the default security group, expected none."
  }
}

run "flow_logs_to_cloudwatch_and_s3" {
  command = plan

  variables {
    flow_logs = {
      enable_cloudwatch      = true
      cloudwatch_kms_key_arn = "arn:aws:kms:us-east-1:111122223333:key/11111111-2222-3333-4444-555555555555"
      cloudwatch_retention   = 30
      enable_s3              = true
      s3_bucket_arn          = "arn:aws:s3:::flow-logs-bucket"
    }
  }

  assert {
    condition     = aws_flow_log.cloudwatch[0].log_destination_type == "cloud-watch-logs" && aws_flow_log.cloudwatch[0].traffic_type == "ALL"
    error_message = "Got ${aws_flow_log.cloudwatch[0].log_destination_type}, expected cloud-watch-logs for ALL traffic."
  }
  assert {
    condition     = aws_cloudwatch_log_group.flow_logs[0].retention_in_days == 30
    error_message = "Got retention ${aws_cloudwatch_log_group.flow_logs[0].retention_in_days}, expected 30."
  }
  assert {
    condition     = aws_cloudwatch_log_group.flow_logs[0].kms_key_id == "arn:aws:kms:us-east-1:111122223333:key/11111111-2222-3333-4444-555555555555"
    error_message = "Got log group key ${coalesce(aws_cloudwatch_log_group.flow_logs[0].kms_key_id, "none")}, expected the given CMK."
  }
  assert {
    condition     = aws_flow_log.s3[0].log_destination == "arn:aws:s3:::flow-logs-bucket/vpc-flow-logs/"
    error_message = "Got S3 destination ${aws_flow_log.s3[0].log_destination}, expected the bucket's vpc-flow-logs/ prefix."
  }
}

run "nat_one_per_az_routes_each_zone_to_its_own_gateway" {
  command = plan

  variables {
    create_public_subnets = true
    nat_gateway_mode      = "one_per_az"
  }

  assert {
    condition     = length(aws_nat_gateway.this) == 3 && length(aws_route.private_nat) == 3
    error_message = "Got ${length(aws_nat_gateway.this)} NAT gateways, expected 3 with 3 private default routes."
  }
  assert {
    condition     = aws_subnet.public[0].map_public_ip_on_launch == false
    error_message = "Public subnets must not hand out public IPs on launch."
  }
}

run "extra_tiers_get_their_own_route_tables" {
  command = plan

  variables {
    extra_subnet_tiers = {
      firewall  = { offset = 20 }
      endpoints = { offset = 30 }
    }
    interface_endpoints     = ["kms", "sts"]
    interface_endpoint_tier = "endpoints"
    gateway_endpoints       = ["s3"]
  }

  assert {
    condition     = length(aws_subnet.extra) == 6 && length(aws_route_table.extra) == 6
    error_message = "Got ${length(aws_subnet.extra)} extra subnets, expected 2 tiers x 3 zones, each with a route table."
  }
  assert {
    condition     = aws_subnet.extra["firewall-0"].cidr_block == "10.20.20.0/24"
    error_message = "Got ${aws_subnet.extra["firewall-0"].cidr_block}, expected 10.20.20.0/24 for the first firewall subnet."
  }
  assert {
    condition     = aws_vpc_security_group_ingress_rule.endpoints_https[0].cidr_ipv4 == "10.20.0.0/16"
    error_message = "Endpoint ingress must come from the VPC CIDR only, got ${aws_vpc_security_group_ingress_rule.endpoints_https[0].cidr_ipv4}."
  }
  assert {
    condition     = aws_vpc_endpoint.interface["kms"].private_dns_enabled == true
    error_message = "Interface endpoints need private DNS so SDKs use them transparently."
  }
}

run "s3_interface_endpoint_serves_the_vpc_and_tier_cidrs_are_output" {
  command = plan

  variables {
    extra_subnet_tiers = {
      firewall  = { offset = 20 }
      endpoints = { offset = 30 }
    }
    interface_endpoints     = ["s3", "kms"]
    interface_endpoint_tier = "endpoints"
  }

  assert {
    condition     = aws_vpc_endpoint.interface["s3"].dns_options[0].private_dns_only_for_inbound_resolver_endpoint == false
    error_message = "The S3 interface endpoint must answer the VPC's own resolvers (no gateway endpoint is needed then)."
  }
  assert {
    condition     = length(aws_vpc_endpoint.gateway) == 0
    error_message = "Got ${length(aws_vpc_endpoint.gateway)} gateway endpoints, expected none unless asked for."
  }
  assert {
    condition     = output.private_subnet_cidrs == ["10.20.0.0/24", "10.20.1.0/24", "10.20.2.0/24"]
    error_message = "Got private CIDRs ${jsonencode(output.private_subnet_cidrs)}, expected 10.20.0.0/24..10.20.2.0/24."
  }
  assert {
    condition     = output.extra_subnet_cidrs["endpoints"] == ["10.20.30.0/24", "10.20.31.0/24", "10.20.32.0/24"]
    error_message = "Got endpoint CIDRs ${jsonencode(output.extra_subnet_cidrs["endpoints"])}, expected 10.20.30.0/24..10.20.32.0/24."
  }
}

run "rejects_a_cidr_outside_16_to_24" {
  command = plan

  variables {
    cidr = "10.0.0.0/8"
  }

  expect_failures = [var.cidr]
}

run "rejects_nat_without_public_subnets" {
  command = plan

  variables {
    nat_gateway_mode = "single"
  }

  expect_failures = [aws_vpc.this]
}

run "rejects_cloudwatch_flow_logs_without_a_cmk" {
  command = plan

  variables {
    flow_logs = { enable_cloudwatch = true }
  }

  expect_failures = [var.flow_logs]
}

run "rejects_overlapping_tiers" {
  command = plan

  variables {
    extra_subnet_tiers = { database = { offset = 1 } }
  }

  expect_failures = [aws_vpc.this]
}
