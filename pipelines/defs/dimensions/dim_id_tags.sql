-- Id tags (RFID cards, app tokens) and the partner (eMSP or own app) each belongs to.
SELECT id_tag, partner, status, expiry FROM reg_id_tags
