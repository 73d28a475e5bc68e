/** A browser form upload: one file field (`file`), read with busboy within the size limit. */
import busboy from 'busboy';
import type { Request } from 'express';
import { AppError, badRequest } from '../domain/index.js';

export interface UploadedFile {
  readonly bytes: Buffer;
  readonly filename: string;
  readonly mimeType: string;
}

export function readMultipartFile(req: Request, limitBytes: number): Promise<UploadedFile> {
  return new Promise((ok, fail) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        limits: { files: 1, fileSize: limitBytes, fields: 10, fieldSize: 1024 },
      });
    } catch {
      fail(badRequest('The multipart body cannot be read (missing boundary?).'));
      return;
    }
    let file: UploadedFile | undefined;
    let failed = false;
    parser.on('file', (field, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('limit', () => {
        failed = true;
        fail(
          new AppError('payload_too_large', `The file is larger than the limit of ${limitBytes} bytes.`, {
            status: 413,
          }),
        );
      });
      stream.on('end', () => {
        if (field === 'file' && !file)
          file = { bytes: Buffer.concat(chunks), filename: info.filename ?? '', mimeType: info.mimeType };
      });
    });
    parser.on('error', () => {
      if (!failed) fail(badRequest('The multipart body cannot be read.'));
      failed = true;
    });
    parser.on('close', () => {
      if (failed) return;
      if (!file) fail(badRequest('The form has no file field named "file".'));
      else ok(file);
    });
    req.pipe(parser);
  });
}
