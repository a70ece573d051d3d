// placeholder: replaced by the real API handler
export const handler = async (): Promise<unknown> => ({ statusCode: 501, body: '' });
