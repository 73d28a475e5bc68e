/**
 * A browser form upload: one file field (`file`), read with busboy within the size limit.
 *
 * Every way the body can end badly — cut off mid-part, a client that closes, garbled framing, a
 * file over the limit — settles the promise once with a typed error and detaches from the request,
 * so nothing is kept and no stream is left without an error listener (an unhandled stream error
 * would take the whole process down).
 */
import busboy from 'busboy';
import type { Request } from 'express';
import { AppError, badRequest } from '../domain/index.js';

export interface UploadedFile {
  readonly bytes: Buffer;
  readonly filename: string;
  readonly mimeType: string;
  /** The form's other (text) fields, e.g. a CSRF token. */
  readonly fields: ReadonlyMap<string, string>;
}

const cutOff = () =>
  new AppError(
    'upload_incomplete',
    'The upload ended before the whole form arrived; nothing was kept. Send it again.',
    {
      status: 400,
    },
  );

export function readMultipartFile(req: Request, limitBytes: number): Promise<UploadedFile> {
  return new Promise((ok, fail) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        limits: { files: 1, fileSize: limitBytes, fields: 10, fieldSize: 1024, parts: 12, headerPairs: 20 },
      });
    } catch {
      fail(badRequest('The multipart body cannot be read (missing boundary?).'));
      return;
    }
    let file: UploadedFile | undefined;
    const fields = new Map<string, string>();
    let settled = false;
    const settle = (error: AppError | undefined) => {
      if (settled) return;
      settled = true;
      req.unpipe(parser);
      req.off('aborted', onAborted);
      req.off('error', onAborted);
      req.off('close', onClose);
      // Keep listening for late errors from the parser and its streams: they are already answered.
      parser.removeAllListeners('close');
      if (error) {
        // Drain what is left of the body so the answer can still be read by the client.
        req.resume();
        fail(error);
      } else if (file) ok(file);
    };
    const onAborted = () => settle(cutOff());
    const onClose = () => {
      if (!req.complete) settle(cutOff());
    };
    parser.on('file', (field, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('error', () => settle(cutOff()));
      stream.on('data', (chunk: Buffer) => {
        if (!settled) chunks.push(chunk);
      });
      stream.on('limit', () =>
        settle(
          new AppError('payload_too_large', `The file is larger than the limit of ${limitBytes} bytes.`, {
            status: 413,
          }),
        ),
      );
      stream.on('end', () => {
        if (field === 'file' && !file && !settled)
          file = { bytes: Buffer.concat(chunks), filename: info.filename ?? '', mimeType: info.mimeType, fields };
      });
    });
    parser.on('field', (name: string, value: string) => {
      if (!fields.has(name)) fields.set(name, value);
    });
    parser.on('partsLimit', () => settle(badRequest('The form has too many parts; send one file field named "file".')));
    parser.on('filesLimit', () => settle(badRequest('The form has more than one file; send one file per month.')));
    parser.on('fieldsLimit', () => settle(badRequest('The form has too many fields.')));
    parser.on('error', (error: Error) =>
      settle(/unexpected end/i.test(error.message) ? cutOff() : badRequest('The multipart body cannot be read.')),
    );
    parser.on('close', () => {
      if (!file) settle(badRequest('The form has no file field named "file".'));
      else settle(undefined);
    });
    req.on('aborted', onAborted);
    req.on('error', onAborted);
    req.on('close', onClose);
    req.pipe(parser);
  });
}
