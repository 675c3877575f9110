variable "name" {
  description = "Web ACL name; also the prefix of its metric names."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,100}$", var.name))
    error_message = "name: 1-100 letters, digits, hyphens and underscores."
  }
}

variable "rate_limit" {
  description = "Requests per IP per rate_limit_window_seconds before the IP is blocked."
  type        = number
  default     = 1000
  nullable    = false

  validation {
    condition     = var.rate_limit >= 10 && var.rate_limit <= 2000000000
    error_message = "rate_limit: 10 to 2,000,000,000 requests (AWS WAF limits)."
  }
}

variable "rate_limit_window_seconds" {
  description = "Window of the rate limit: 60, 120, 300 or 600 seconds."
  type        = number
  default     = 300
  nullable    = false

  validation {
    condition     = contains([60, 120, 300, 600], var.rate_limit_window_seconds)
    error_message = "rate_limit_window_seconds: one of 60, 120, 300, 600."
  }
}

variable "geo_block_countries" {
  description = "ISO 3166-1 alpha-2 country codes to block; empty disables the rule."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for c in var.geo_block_countries : can(regex("^[A-Z]{2}$", c))])
    error_message = "geo_block_countries: two upper-case letters each (ISO 3166-1 alpha-2, e.g. KP)."
  }
}

variable "managed_rule_groups" {
  description = "AWS managed rule groups (vendor AWS) evaluated after our own rules."
  type        = list(string)
  default     = ["AWSManagedRulesCommonRuleSet", "AWSManagedRulesSQLiRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"]
  nullable    = false
}

variable "payment_api_path" {
  description = "Path prefix of the payment API that gets method and content-type protection."
  type        = string
  default     = "/api/payments"
  nullable    = false

  validation {
    condition     = startswith(var.payment_api_path, "/")
    error_message = "payment_api_path: must start with /."
  }
}

variable "payment_api_methods" {
  description = "HTTP methods allowed on the payment API; anything else is blocked."
  type        = list(string)
  default     = ["GET", "POST"]
  nullable    = false

  validation {
    condition     = length(var.payment_api_methods) > 0 && alltrue([for m in var.payment_api_methods : contains(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"], m)])
    error_message = "payment_api_methods: one or more of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS."
  }
}

variable "create_association" {
  description = "Associate the web ACL with resource_arn (a plain bool so plans know the count before the ALB exists)."
  type        = bool
  default     = true
  nullable    = false
}

variable "resource_arn" {
  description = "ARN of the load balancer to protect (used when create_association)."
  type        = string
  default     = null
}

variable "log_bucket_arn" {
  description = "S3 bucket receiving the logs of blocked requests; AWS requires the name to start with aws-waf-logs-."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:s3:::aws-waf-logs-[a-z0-9.-]+$", var.log_bucket_arn))
    error_message = "log_bucket_arn: the ARN of a bucket whose name starts with aws-waf-logs- (AWS WAF logging requirement)."
  }
}

variable "tags" {
  description = "Tags merged onto every resource."
  type        = map(string)
  default     = {}
  nullable    = false
}
