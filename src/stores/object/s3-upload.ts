import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
  type CompletedPart,
  type S3Client,
} from '@aws-sdk/client-s3';

/**
 * S3's smallest part (except the last) is 5 MiB; 8 MiB parts keep a 10,000-part upload above
 * 75 GiB while holding one part in memory.
 */
export const partSize = 8 * 1024 * 1024;

export interface UploadTarget {
  readonly client: S3Client;
  readonly bucket: string;
  readonly key: string;
  readonly contentType: string;
  /**
   * `IfNoneMatch: *`: S3 (and servers that implement conditional writes) refuses to replace an
   * existing object with 412, closing the gap between our existence check and the write.
   */
  readonly ifNoneMatch: boolean;
}

/**
 * Uploads a stream as it comes: a body that ends within one part is one PutObject; a longer one is
 * a multipart upload, one part in memory at a time, aborted (its parts discarded) when anything
 * fails, so a failed upload leaves no object behind.
 */
export async function uploadStream(target: UploadTarget, body: AsyncIterable<Uint8Array>): Promise<void> {
  const { client, bucket, key } = target;
  const buffered: Uint8Array[] = [];
  let bufferedBytes = 0;
  let uploadId: string | undefined;
  const parts: CompletedPart[] = [];
  const flushPart = async (): Promise<void> => {
    uploadId ??= await createUpload(target);
    const PartNumber = parts.length + 1;
    const Body = Buffer.concat(buffered, bufferedBytes);
    buffered.length = 0;
    bufferedBytes = 0;
    const answer = await client.send(
      new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumber, Body }),
    );
    parts.push({ ETag: answer.ETag, PartNumber });
  };
  try {
    for await (const chunk of body) {
      buffered.push(chunk);
      bufferedBytes += chunk.byteLength;
      if (bufferedBytes >= partSize) await flushPart();
    }
    if (uploadId === undefined) {
      await putObject(target, Buffer.concat(buffered, bufferedBytes));
      return;
    }
    if (bufferedBytes > 0) await flushPart();
    await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: key,
        UploadId: uploadId,
        MultipartUpload: { Parts: parts },
        ...(target.ifNoneMatch ? { IfNoneMatch: '*' } : {}),
      }),
    );
  } catch (error) {
    if (uploadId !== undefined) await abortUpload(target, uploadId);
    throw error;
  }
}

async function createUpload(target: UploadTarget): Promise<string> {
  const answer = await target.client.send(
    new CreateMultipartUploadCommand({
      Bucket: target.bucket,
      Key: target.key,
      ContentType: target.contentType,
    }),
  );
  if (answer.UploadId === undefined)
    throw new Error('the object store started a multipart upload without an id');
  return answer.UploadId;
}

export async function putObject(target: UploadTarget, body: Uint8Array): Promise<void> {
  await target.client.send(
    new PutObjectCommand({
      Bucket: target.bucket,
      Key: target.key,
      Body: body,
      ContentType: target.contentType,
      ...(target.ifNoneMatch ? { IfNoneMatch: '*' } : {}),
    }),
  );
}

async function abortUpload(target: UploadTarget, uploadId: string): Promise<void> {
  try {
    await target.client.send(
      new AbortMultipartUploadCommand({ Bucket: target.bucket, Key: target.key, UploadId: uploadId }),
    );
  } catch {
    // The store is failing already; a lifecycle rule for incomplete uploads removes the parts.
  }
}
