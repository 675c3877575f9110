variable "name" {
  description = "Load balancer name (AWS limit 32); target groups are named <name>-<key> within the same limit."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[a-zA-Z0-9](-?[a-zA-Z0-9])*$", var.name)) && length(var.name) <= 32 && !startswith(var.name, "internal-")
    error_message = "name: at most 32 letters, digits and single hyphens, no hyphen at either end, not starting with internal-."
  }
}

variable "vpc_id" {
  description = "VPC of the load balancer and its target groups."
  type        = string
  nullable    = false
}

variable "vpc_cidr_block" {
  description = "CIDR of the VPC: the load balancer may reach targets inside it only."
  type        = string
  nullable    = false

  validation {
    condition     = can(cidrhost(var.vpc_cidr_block, 0))
    error_message = "vpc_cidr_block: an IPv4 CIDR block."
  }
}

variable "subnet_ids" {
  description = "Subnets in at least two zones."
  type        = list(string)
  nullable    = false

  validation {
    condition     = length(var.subnet_ids) >= 2
    error_message = "subnet_ids: at least two subnets in different zones."
  }
}

variable "internal" {
  description = "Internal (private) load balancer. Internet-facing ones still admit only ingress_cidr_blocks."
  type        = bool
  default     = true
  nullable    = false
}

variable "ingress_cidr_blocks" {
  description = "Client ranges admitted on the listener ports. 0.0.0.0/0 is refused: use WAF-fronted known ranges or a prefix list."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for c in var.ingress_cidr_blocks : can(cidrhost(c, 0)) && c != "0.0.0.0/0"])
    error_message = "ingress_cidr_blocks: IPv4 CIDR blocks other than 0.0.0.0/0 (open ingress is not allowed in this project)."
  }
}

variable "ingress_security_group_ids" {
  description = "Security groups admitted on the listener ports."
  type        = list(string)
  default     = []
  nullable    = false
}

variable "certificate_arn" {
  description = "ACM certificate for the HTTPS listener; null gives a plain HTTP listener (emulator and tests only)."
  type        = string
  default     = null
}

variable "ssl_policy" {
  description = "TLS policy of the HTTPS listener (TLS 1.2 minimum)."
  type        = string
  default     = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  nullable    = false

  validation {
    condition     = can(regex("TLS13-1-2|TLS-1-2", var.ssl_policy))
    error_message = "ssl_policy: a policy with TLS 1.2 as the minimum (e.g. ELBSecurityPolicy-TLS13-1-2-2021-06)."
  }
}

variable "access_logs_bucket" {
  description = "S3 bucket receiving access logs (its policy must admit ELB log delivery)."
  type        = string
  nullable    = false
}

variable "access_logs_prefix" {
  description = "Key prefix of access logs."
  type        = string
  default     = "alb"
  nullable    = false
}

variable "deletion_protection" {
  description = "Refuse deletion of the load balancer. Turn off only for ephemeral environments."
  type        = bool
  default     = true
  nullable    = false
}

variable "idle_timeout" {
  description = "Idle connection timeout in seconds."
  type        = number
  default     = 60
  nullable    = false
}

variable "target_groups" {
  description = "Target groups by key; the first key in sort order is the listener's default. target_type instance, ip or lambda; name defaults to <name>-<key>."
  type = map(object({
    name              = optional(string)
    target_type       = optional(string, "instance")
    port              = optional(number, 80)
    protocol          = optional(string, "HTTP")
    health_check_path = optional(string, "/health")
    matcher           = optional(string, "200")
  }))
  nullable = false

  validation {
    condition     = length(var.target_groups) >= 1
    error_message = "target_groups: at least one target group (the listener's default action)."
  }

  validation {
    condition     = alltrue([for tg in values(var.target_groups) : contains(["instance", "ip", "lambda"], tg.target_type)])
    error_message = "target_groups: target_type must be instance, ip or lambda."
  }
}

variable "path_rules" {
  description = "Listener rules forwarding path patterns to a target group key."
  type = map(object({
    priority         = number
    path_patterns    = list(string)
    target_group_key = string
  }))
  default  = {}
  nullable = false
}

variable "tags" {
  description = "Tags merged onto every resource."
  type        = map(string)
  default     = {}
  nullable    = false
}
