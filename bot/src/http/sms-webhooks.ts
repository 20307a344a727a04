import type { Request, Response, Server } from 'restify';
import { AppError, type Services } from '@switchboard/shared';
import { errorBody } from './error-body';
import { rawBodyOf, SMS_WEBHOOK_ROUTE } from './mount';
import { sendError } from './respond';

/**
 * `POST /api/sms/{type}/{connectionId}`: carrier webhooks (no user token; the carrier's
 * signature is the authentication). Look up the connection, verify against the exact
 * bytes and the public URL (`PUBLIC_BASE_URL` + path + query, never the Host header),
 * store durably, answer; routing runs after the answer.
 */
export function mountSmsWebhooks(server: Server, services: Services): void {
  server.post(SMS_WEBHOOK_ROUTE, async (req: Request, res: Response) => {
    const params = req.params as { type?: string; connectionId?: string };
    try {
      const url = `${services.carrierConnections.publicBaseUrl.replace(/\/$/, '')}${req.url ?? req.getPath()}`;
      const answer = await services.inboundSms.receive(String(params.type), String(params.connectionId), { url, headers: req.headers, rawBody: rawBodyOf(req) });
      res.sendRaw(answer.status, answer.body, { 'content-type': answer.contentType, 'cache-control': 'no-store' });
    } catch (error) {
      if (error instanceof AppError) {
        if (error.status === 401 || error.status === 403) req.log.warn({ connectionId: params.connectionId, type: params.type, reason: (error as { reason?: string }).reason }, 'carrier webhook refused');
        res.send(error.status, errorBody(error.code, error.message, req.getId()));
        return;
      }
      sendError(req, res, error);
    }
  });
}
