import { RemovalPolicy } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';

/**
 * The settings every bucket of the reference architectures gets: SSE-S3, TLS only, versioned,
 * no public access, no ACLs, and the given removal policy (never emptied automatically).
 *
 * Internal to the library.
 */
export function secureBucketProps(removalPolicy: RemovalPolicy): s3.BucketProps {
  return {
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    versioned: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    removalPolicy,
    autoDeleteObjects: false,
  };
}
