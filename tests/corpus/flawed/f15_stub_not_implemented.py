class PaymentGateway:
    def charge(self, amount, card):
        raise NotImplementedError

    def refund(self, charge_id):
        pass
