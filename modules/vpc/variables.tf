variable "name" {
  description = "Name prefix of every resource of the VPC (from the project's naming helper)."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{0,40}[a-z0-9]$", var.name))
    error_message = "name: 2-42 lowercase letters, digits and inner hyphens."
  }
}

variable "cidr" {
  description = "IPv4 CIDR of the VPC, /16 to /24."
  type        = string
  nullable    = false

  validation {
    condition     = can(cidrhost(var.cidr, 0)) && tonumber(split("/", var.cidr)[1]) >= 16 && tonumber(split("/", var.cidr)[1]) <= 24
    error_message = "cidr: must be an IPv4 CIDR block between /16 and /24, e.g. 10.20.0.0/16."
  }
}

variable "az_count" {
  description = "Number of availability zones to spread every subnet tier over."
  type        = number
  default     = 3
  nullable    = false

  validation {
    condition     = var.az_count >= 2 && var.az_count <= 4 && floor(var.az_count) == var.az_count
    error_message = "az_count: a whole number from 2 to 4 (high availability needs at least two zones)."
  }
}

variable "availability_zones" {
  description = "Explicit zone names; empty means the first az_count zones of the region."
  type        = list(string)
  default     = []
  nullable    = false
}

variable "subnet_newbits" {
  description = "Bits added to the VPC prefix for each subnet (e.g. 8 turns a /16 into /24 subnets)."
  type        = number
  default     = 8
  nullable    = false

  validation {
    condition     = var.subnet_newbits >= 2 && var.subnet_newbits <= 12
    error_message = "subnet_newbits: 2 to 12."
  }
}

variable "create_public_subnets" {
  description = "Create public subnets with an internet gateway (needed for NAT and internet-facing load balancers)."
  type        = bool
  default     = false
  nullable    = false
}

variable "nat_gateway_mode" {
  description = "NAT for private subnets: none, single (one shared gateway) or one_per_az."
  type        = string
  default     = "none"
  nullable    = false

  validation {
    condition     = contains(["none", "single", "one_per_az"], var.nat_gateway_mode)
    error_message = "nat_gateway_mode: one of none, single, one_per_az."
  }
}

variable "extra_subnet_tiers" {
  description = "Further subnet tiers (e.g. firewall, endpoints, database), each with its own route table per zone. Offsets are the subnet index base inside the VPC CIDR; tiers must not overlap."
  type = map(object({
    offset = number
  }))
  default  = {}
  nullable = false
}

variable "flow_logs" {
  description = "VPC Flow Logs: to CloudWatch Logs (log group with KMS key and retention), to S3 (bucket ARN), or both."
  type = object({
    traffic_type           = optional(string, "ALL")
    cloudwatch_kms_key_arn = optional(string)
    cloudwatch_retention   = optional(number, 30)
    enable_cloudwatch      = optional(bool, false)
    enable_s3              = optional(bool, false)
    s3_bucket_arn          = optional(string)
    s3_key_prefix          = optional(string, "vpc-flow-logs/")
  })
  default  = {}
  nullable = false

  validation {
    condition     = contains(["ACCEPT", "REJECT", "ALL"], var.flow_logs.traffic_type)
    error_message = "flow_logs.traffic_type: one of ACCEPT, REJECT, ALL."
  }

  validation {
    condition     = !var.flow_logs.enable_cloudwatch || var.flow_logs.cloudwatch_kms_key_arn != null
    error_message = "flow_logs.cloudwatch_kms_key_arn: required when enable_cloudwatch is true (log groups are encrypted with our CMK)."
  }

  validation {
    condition     = !var.flow_logs.enable_s3 || var.flow_logs.s3_bucket_arn != null
    error_message = "flow_logs.s3_bucket_arn: required when enable_s3 is true."
  }

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.flow_logs.cloudwatch_retention)
    error_message = "flow_logs.cloudwatch_retention: a retention CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, ... days)."
  }
}

variable "gateway_endpoints" {
  description = "Gateway VPC endpoints to create (s3, dynamodb), routed from every private and extra-tier route table."
  type        = set(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for s in var.gateway_endpoints : contains(["s3", "dynamodb"], s)])
    error_message = "gateway_endpoints: only s3 and dynamodb have gateway endpoints."
  }
}

variable "interface_endpoints" {
  description = "Interface VPC endpoints (service short names, e.g. kms, secretsmanager, logs, sts, ssm) with private DNS."
  type        = set(string)
  default     = []
  nullable    = false
}

variable "interface_endpoint_tier" {
  description = "Subnet tier that hosts the interface endpoints: private or the name of an extra tier."
  type        = string
  default     = "private"
  nullable    = false
}

variable "tags" {
  description = "Tags merged onto every resource."
  type        = map(string)
  default     = {}
  nullable    = false
}
