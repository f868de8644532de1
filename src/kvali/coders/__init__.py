"""Double coding: which coder is assigned which documents, which documents a coder has marked
done ("færdigkodet"), and blind mode (`kvali.coders.work`, `kvali.coders.blind`)."""
