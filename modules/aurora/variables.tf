variable "name" {
  description = "Cluster identifier; also the prefix of the proxy, security groups, subnet and parameter groups."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[a-z](-?[a-z0-9])*$", var.name)) && length(var.name) <= 50
    error_message = "name: up to 50 lowercase letters, digits and single hyphens, starting with a letter (RDS identifier rule, with room for suffixes)."
  }
}

variable "engine_version" {
  description = "Aurora PostgreSQL engine version (Serverless v2 capable)."
  type        = string
  default     = "16.11"
  nullable    = false

  validation {
    condition     = can(regex("^1[3-7]\\.[0-9]+$", var.engine_version))
    error_message = "engine_version: an Aurora PostgreSQL 13-17 version such as 16.11."
  }
}

variable "vpc_id" {
  description = "VPC of the cluster and proxy."
  type        = string
  nullable    = false
}

variable "subnet_ids" {
  description = "Private subnets in at least two zones (database subnet group and proxy)."
  type        = list(string)
  nullable    = false

  validation {
    condition     = length(var.subnet_ids) >= 2
    error_message = "subnet_ids: at least two subnets in different availability zones."
  }
}

variable "availability_zones" {
  description = "Zones to spread the instances over, writer first (e.g. the VPC module's availability_zones)."
  type        = list(string)
  nullable    = false

  validation {
    condition     = length(var.availability_zones) >= 2
    error_message = "availability_zones: at least two zones."
  }
}

variable "allowed_security_groups" {
  description = "Security groups whose members may connect to the proxy (and, for administration, the cluster) on 5432, keyed by a static name (the ids may be unknown until apply)."
  type        = map(string)
  default     = {}
  nullable    = false

  validation {
    condition     = alltrue([for k in keys(var.allowed_security_groups) : can(regex("^[a-z][a-z0-9_-]{0,31}$", k))])
    error_message = "allowed_security_groups: keys are static names: lowercase letters, digits, _ and -, at most 32."
  }
}

variable "kms_key_arn" {
  description = "Customer-managed KMS key encrypting storage, the managed master secret and Performance Insights."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/", var.kms_key_arn))
    error_message = "kms_key_arn: the ARN of a customer-managed KMS key (arn:aws:kms:<region>:<account>:key/<id>)."
  }
}

variable "database_name" {
  description = "Initial database name."
  type        = string
  default     = "payments"
  nullable    = false

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,62}$", var.database_name))
    error_message = "database_name: lowercase letters, digits and underscores, starting with a letter, at most 63."
  }
}

variable "master_username" {
  description = "Master user name; its password is generated and kept in Secrets Manager by RDS (never in state)."
  type        = string
  default     = "payments_admin"
  nullable    = false
}

variable "min_capacity" {
  description = "Minimum Aurora capacity units of each Serverless v2 instance."
  type        = number
  default     = 0.5
  nullable    = false

  validation {
    condition     = var.min_capacity >= 0 && var.min_capacity <= 256
    error_message = "min_capacity: 0 to 256 ACU."
  }
}

variable "max_capacity" {
  description = "Maximum Aurora capacity units of each Serverless v2 instance."
  type        = number
  default     = 4
  nullable    = false

  validation {
    condition     = var.max_capacity >= 1 && var.max_capacity <= 256
    error_message = "max_capacity: 1 to 256 ACU."
  }
}

variable "reader_count" {
  description = "Read replicas besides the writer, spread over the zones after the writer's."
  type        = number
  default     = 2
  nullable    = false

  validation {
    condition     = var.reader_count >= 0 && var.reader_count <= 15 && floor(var.reader_count) == var.reader_count
    error_message = "reader_count: a whole number from 0 to 15."
  }
}

variable "log_exports" {
  description = "Log types exported to CloudWatch Logs."
  type        = set(string)
  default     = ["postgresql"]
  nullable    = false

  validation {
    condition     = alltrue([for l in var.log_exports : contains(["postgresql", "iam-db-auth-error"], l)])
    error_message = "log_exports: only postgresql and iam-db-auth-error exist for Aurora PostgreSQL."
  }
}

variable "backup_retention_days" {
  description = "Automated backup retention."
  type        = number
  default     = 7
  nullable    = false

  validation {
    condition     = var.backup_retention_days >= 1 && var.backup_retention_days <= 35
    error_message = "backup_retention_days: 1 to 35."
  }
}

variable "deletion_protection" {
  description = "Refuse deletion of the cluster. Turn off only for ephemeral environments."
  type        = bool
  default     = true
  nullable    = false
}

variable "skip_final_snapshot" {
  description = "Destroy without a final snapshot. Turn on only for ephemeral environments."
  type        = bool
  default     = false
  nullable    = false
}

variable "create_proxy" {
  description = "Put an RDS Proxy (TLS required, IAM authentication) in front of the cluster."
  type        = bool
  default     = true
  nullable    = false
}

variable "log_statement" {
  description = "Which statements PostgreSQL logs (log_statement): ddl records schema and privilege changes."
  type        = string
  default     = "ddl"
  nullable    = false

  validation {
    condition     = contains(["ddl", "mod", "all"], var.log_statement)
    error_message = "log_statement: one of ddl, mod, all (none would switch query logging off)."
  }
}

variable "log_min_duration_ms" {
  description = "Log every statement that runs at least this long, in milliseconds (log_min_duration_statement)."
  type        = number
  default     = 1000
  nullable    = false

  validation {
    condition     = var.log_min_duration_ms >= 0 && floor(var.log_min_duration_ms) == var.log_min_duration_ms
    error_message = "log_min_duration_ms: a whole number of milliseconds, 0 or more (-1 would switch it off)."
  }
}

variable "tags" {
  description = "Tags merged onto every resource."
  type        = map(string)
  default     = {}
  nullable    = false
}
